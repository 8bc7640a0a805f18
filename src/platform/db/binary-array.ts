// uuid[], int8[], int4[], float8[], timestamptz[] and text[] parameters in PostgreSQL's binary array format. node-postgres sends a
// Buffer parameter as binary, and the server reads it with array_recv: 16 or 8 bytes per id or
// number, no text to parse. As text, pg quotes every element into an array literal and the
// server parses the literal back element by element, which is most of the cost for the batch
// statements, whose parameters are arrays of hundreds of ids and amounts. Measured with a
// statement that only binds a ledger write's 28 arrays for 250 transfers: 3.4 ms as text,
// 0.9 ms binary (docs/benchmarks.md, sixth round). Text elements go as their UTF-8 bytes: pg
// need not quote and escape them into a literal, nor the server parse it back.
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

const INT4_OID = 23;
const FLOAT8_OID = 701;
const TIMESTAMPTZ_OID = 1184;
/** PostgreSQL's epoch (2000-01-01T00:00:00Z) in Unix milliseconds: its timestamps count from it. */
const PG_EPOCH_MS = 946_684_800_000;

const TEXT_OID = 25;
const BPCHAR_OID = 1042;

/**
 * A one-dimensional array (lower bound 1; no dimensions if empty): the header, then each element
 * as its length (-1 for null) and its `width(value)` bytes, written by `write`.
 */
function binaryArray<T>(
  values: readonly (T | null)[],
  oid: number,
  width: (value: T) => number,
  write: (buf: Buffer, at: number, value: T) => void,
): Buffer {
  let nulls = 0;
  let bytes = 0;
  for (const v of values) {
    if (v === null) nulls++;
    else bytes += width(v);
  }
  const headerSize = values.length === 0 ? 12 : 20;
  const buf = Buffer.allocUnsafe(headerSize + values.length * 4 + bytes);
  buf.writeInt32BE(values.length === 0 ? 0 : 1, 0);
  buf.writeInt32BE(nulls > 0 ? 1 : 0, 4);
  buf.writeInt32BE(oid, 8);
  if (values.length > 0) {
    buf.writeInt32BE(values.length, 12);
    buf.writeInt32BE(1, 16);
  }
  let at = headerSize;
  for (const v of values) {
    if (v === null) {
      at = buf.writeInt32BE(-1, at);
      continue;
    }
    const w = width(v);
    at = buf.writeInt32BE(w, at);
    write(buf, at, v);
    at += w;
  }
  return buf;
}

/** A uuid[] parameter. Throws on a string that is not a UUID (nothing is sent). */
export function uuidArray(values: readonly (string | null)[]): Buffer {
  return binaryArray(
    values,
    UUID_OID,
    () => 16,
    (buf, at, v) => {
      if (!isUuid(v)) throw new TypeError(`not a UUID: ${JSON.stringify(v).slice(0, 60)}`);
      for (let i = 0; i < 36; i += 2) {
        if (i === 8 || i === 13 || i === 18 || i === 23) i++; // the dashes
        buf[at++] = (HEX[v.charCodeAt(i)] as number) * 16 + (HEX[v.charCodeAt(i + 1)] as number);
      }
    },
  );
}

/** An int8[] parameter. Throws on a value outside int8's range (nothing is sent). */
export function int8Array(values: readonly (bigint | null)[]): Buffer {
  return binaryArray(
    values,
    INT8_OID,
    () => 8,
    (buf, at, v) => {
      if (v < INT8_MIN || v > INT8_MAX) throw new RangeError(`outside int8: ${v}`);
      buf.writeBigInt64BE(v, at);
    },
  );
}

/** An int4[] parameter. Throws on a value that is not a 32-bit integer (nothing is sent). */
export function int4Array(values: readonly (number | null)[]): Buffer {
  return binaryArray(
    values,
    INT4_OID,
    () => 4,
    (buf, at, v) => {
      if (!Number.isInteger(v) || v < -2_147_483_648 || v > 2_147_483_647) {
        throw new RangeError(`not an int4: ${v}`);
      }
      buf.writeInt32BE(v, at);
    },
  );
}

/** A float8[] parameter: every double as it is, bit for bit (NaN and the infinities included, as float8 has them). */
export function float8Array(values: readonly (number | null)[]): Buffer {
  return binaryArray(
    values,
    FLOAT8_OID,
    () => 8,
    (buf, at, v) => {
      buf.writeDoubleBE(v, at);
    },
  );
}

/**
 * A timestamptz[] parameter from Unix milliseconds (fractions kept to the microsecond, the
 * column's precision). Throws on a value that is not a finite number (nothing is sent).
 */
export function timestamptzArray(values: readonly (number | null)[]): Buffer {
  return binaryArray(
    values,
    TIMESTAMPTZ_OID,
    () => 8,
    (buf, at, v) => {
      if (!Number.isFinite(v)) throw new RangeError(`not a time: ${v}`);
      buf.writeBigInt64BE(BigInt(Math.round((v - PG_EPOCH_MS) * 1000)), at);
    },
  );
}

/**
 * A text[] parameter (`$1::text[]`), or with `bpchar` a char(n)[] one (`$1::char(3)[]`): the
 * element type must be the statement's. PostgreSQL refuses a NUL character in text either way.
 */
export function textArray(values: readonly (string | null)[], type: 'text' | 'bpchar' = 'text'): Buffer {
  return binaryArray(
    values,
    type === 'text' ? TEXT_OID : BPCHAR_OID,
    (v) => Buffer.byteLength(v, 'utf8'),
    (buf, at, v) => {
      buf.write(v, at, 'utf8');
    },
  );
}
