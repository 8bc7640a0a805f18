// uuid[] and int8[] parameters in PostgreSQL's binary array format. node-postgres sends a
// Buffer parameter as binary, and the server reads it with array_recv: 16 or 8 bytes per
// element, no text to parse. The text path costs on both sides for the batch statements, whose
// parameters are arrays of hundreds of ids and amounts: pg quotes every element into an array
// literal (two regular-expression passes each) and the server parses the literal back, element
// by element. Measured on a ledger batch of 250 transfers (28 array parameters): binding took
// ≈ 2.6 ms as text (docs/benchmarks.md, sixth round).
//
// The parameter's type must be fixed by the statement (`$1::uuid[]`): array_recv checks the
// element type written here against it.
import { isUuid } from '../ids.js';

const UUID_OID = 2950;
/** Hex digit values by character code (isUuid has already refused anything else). */
const HEX = new Uint8Array(128);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;
const INT8_OID = 20;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** Header of a one-dimensional array (lower bound 1), or of an empty one (no dimensions). */
function header(buf: Buffer, length: number, hasNull: boolean, oid: number): number {
  buf.writeInt32BE(length === 0 ? 0 : 1, 0);
  buf.writeInt32BE(hasNull ? 1 : 0, 4);
  buf.writeInt32BE(oid, 8);
  if (length === 0) return 12;
  buf.writeInt32BE(length, 12);
  buf.writeInt32BE(1, 16);
  return 20;
}

function countNulls(values: readonly unknown[]): number {
  let n = 0;
  for (const v of values) if (v === null) n++;
  return n;
}

/** A uuid[] parameter. Throws on a string that is not a UUID (nothing is sent). */
export function uuidArray(values: readonly (string | null)[]): Buffer {
  const nulls = countNulls(values);
  const size = (values.length === 0 ? 12 : 20) + values.length * 4 + (values.length - nulls) * 16;
  const buf = Buffer.allocUnsafe(size);
  let at = header(buf, values.length, nulls > 0, UUID_OID);
  for (const v of values) {
    if (v === null) {
      at = buf.writeInt32BE(-1, at);
      continue;
    }
    if (!isUuid(v)) throw new TypeError(`not a UUID: ${JSON.stringify(v).slice(0, 60)}`);
    at = buf.writeInt32BE(16, at);
    for (let i = 0; i < 36; i += 2) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++; // the dashes
      buf[at++] = (HEX[v.charCodeAt(i)] as number) * 16 + (HEX[v.charCodeAt(i + 1)] as number);
    }
  }
  return buf;
}

/** An int8[] parameter. Throws on a value outside int8's range (nothing is sent). */
export function int8Array(values: readonly (bigint | null)[]): Buffer {
  const nulls = countNulls(values);
  const size = (values.length === 0 ? 12 : 20) + values.length * 4 + (values.length - nulls) * 8;
  const buf = Buffer.allocUnsafe(size);
  let at = header(buf, values.length, nulls > 0, INT8_OID);
  for (const v of values) {
    if (v === null) {
      at = buf.writeInt32BE(-1, at);
      continue;
    }
    if (v < INT8_MIN || v > INT8_MAX) throw new RangeError(`outside int8: ${v}`);
    at = buf.writeInt32BE(8, at);
    at = buf.writeBigInt64BE(v, at);
  }
  return buf;
}
