// uuid[], int8[], int4[], float8[], timestamptz[] and text[] parameters in PostgreSQL's binary
// array format. node-postgres sends a Buffer parameter as binary, and the server reads it with
// array_recv: 16 or 8 bytes per id or number, no text to parse. As text, pg quotes every element
// into an array literal and the server parses the literal back element by element, which is most
// of the cost for the batch statements, whose parameters are arrays of hundreds of ids and
// amounts. Measured with a statement that only binds a ledger write's 28 arrays for 250
// transfers: 3.4 ms as text, 0.9 ms binary (docs/benchmarks.md, sixth round). Text elements go as
// their UTF-8 bytes: pg need not quote and escape them into a literal, nor the server parse it
// back.
//
// The encoders run for every array of every batch statement, so they are written for speed
// (docs/benchmarks.md, tenth round): numbers go through a DataView (Buffer's writeBigInt64BE
// does four BigInt operations per value), a uuid is checked while its digits are converted (no
// regular expression), and a short ASCII string is copied by a loop instead of a call into C++
// (a long one by Buffer's latin1 copy, which needs no encoding). For 25 elements: uuid 12–14 →
// 6 µs, int8 9 → 2 µs, text 13 → 4–7 µs; 18 texts of 450 characters (stored replies) 125 →
// 13 µs. The bytes out are the same as before. Each type writes its own loop on purpose: one
// shared loop calling a writer per element (the design before) is polymorphic at that call, and
// for int8, int4, float8 and timestamptz together it measured 15 µs against 11 µs for 25 each.
//
// The parameter's type must be fixed by the statement (`$1::uuid[]`): array_recv checks the
// element type written here against it.

const UUID_OID = 2950;
const INT8_OID = 20;
const INT4_OID = 23;
const FLOAT8_OID = 701;
const TIMESTAMPTZ_OID = 1184;
const TEXT_OID = 25;
const BPCHAR_OID = 1042;

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
/** PostgreSQL's epoch (2000-01-01T00:00:00Z) in Unix milliseconds: its timestamps count from it. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_TO_32 = 2 ** 32;

/** Hex digit values by character code; -1 for a character that is not one. */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;

/**
 * A one-dimensional array (lower bound 1; no dimensions if empty) being written: the header at
 * construction, then each element as its length (-1 for null) and its bytes, in order.
 */
class ArrayWriter {
  readonly buf: Buffer;
  readonly view: DataView;
  private at: number;

  constructor(length: number, nulls: number, oid: number, dataBytes: number) {
    const headerSize = length === 0 ? 12 : 20;
    this.buf = Buffer.allocUnsafe(headerSize + length * 4 + dataBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.view.setInt32(0, length === 0 ? 0 : 1);
    this.view.setInt32(4, nulls > 0 ? 1 : 0);
    this.view.setInt32(8, oid);
    if (length > 0) {
      this.view.setInt32(12, length);
      this.view.setInt32(16, 1);
    }
    this.at = headerSize;
  }

  /** A writer for elements of `width` bytes each. */
  static fixed(values: readonly unknown[], oid: number, width: number): ArrayWriter {
    const nulls = countNulls(values);
    return new ArrayWriter(values.length, nulls, oid, (values.length - nulls) * width);
  }

  null(): void {
    this.view.setInt32(this.at, -1);
    this.at += 4;
  }

  /** Starts an element of `width` bytes and returns where its bytes go. */
  element(width: number): number {
    this.view.setInt32(this.at, width);
    const at = this.at + 4;
    this.at = at + width;
    return at;
  }
}

function countNulls(values: readonly unknown[]): number {
  let nulls = 0;
  for (const v of values) if (v === null) nulls++;
  return nulls;
}

/** A uuid[] parameter. Throws on a string that is not a UUID (nothing is sent). */
export function uuidArray(values: readonly (string | null)[]): Buffer {
  const w = ArrayWriter.fixed(values, UUID_OID, 16);
  for (const v of values) {
    if (v === null) {
      w.null();
      continue;
    }
    if (
      v.length !== 36 ||
      v.charCodeAt(8) !== 45 ||
      v.charCodeAt(13) !== 45 ||
      v.charCodeAt(18) !== 45 ||
      v.charCodeAt(23) !== 45
    ) {
      throw notUuid(v);
    }
    let at = w.element(16);
    for (let i = 0; i < 36; i += 2) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++; // the dashes
      const a = v.charCodeAt(i);
      const b = v.charCodeAt(i + 1);
      const hi = a < 128 ? (HEX[a] as number) : -1;
      const lo = b < 128 ? (HEX[b] as number) : -1;
      if ((hi | lo) < 0) throw notUuid(v);
      w.buf[at++] = hi * 16 + lo;
    }
  }
  return w.buf;
}

const notUuid = (v: string) => new TypeError(`not a UUID: ${JSON.stringify(v).slice(0, 60)}`);

/** An int8[] parameter. Throws on a value outside int8's range (nothing is sent). */
export function int8Array(values: readonly (bigint | null)[]): Buffer {
  const w = ArrayWriter.fixed(values, INT8_OID, 8);
  for (const v of values) {
    if (v === null) {
      w.null();
      continue;
    }
    if (v < INT8_MIN || v > INT8_MAX) throw new RangeError(`outside int8: ${v}`);
    w.view.setBigInt64(w.element(8), v);
  }
  return w.buf;
}

/** An int4[] parameter. Throws on a value that is not a 32-bit integer (nothing is sent). */
export function int4Array(values: readonly (number | null)[]): Buffer {
  const w = ArrayWriter.fixed(values, INT4_OID, 4);
  for (const v of values) {
    if (v === null) {
      w.null();
      continue;
    }
    if (!Number.isInteger(v) || v < -2_147_483_648 || v > 2_147_483_647) {
      throw new RangeError(`not an int4: ${v}`);
    }
    w.view.setInt32(w.element(4), v);
  }
  return w.buf;
}

/** A float8[] parameter: every double as it is, bit for bit (NaN and the infinities included, as float8 has them). */
export function float8Array(values: readonly (number | null)[]): Buffer {
  const w = ArrayWriter.fixed(values, FLOAT8_OID, 8);
  for (const v of values) {
    if (v === null) w.null();
    else w.view.setFloat64(w.element(8), v);
  }
  return w.buf;
}

/**
 * A timestamptz[] parameter from Unix milliseconds (fractions kept to the microsecond, the
 * column's precision). Throws on a value that is not a finite number within ±285,000 years of
 * 2000 (nothing is sent).
 */
export function timestamptzArray(values: readonly (number | null)[]): Buffer {
  const w = ArrayWriter.fixed(values, TIMESTAMPTZ_OID, 8);
  for (const v of values) {
    if (v === null) {
      w.null();
      continue;
    }
    // Microseconds since PostgreSQL's epoch, exact as a double below 2^53: written as two
    // 32-bit halves, without a BigInt.
    const us = Math.round((v - PG_EPOCH_MS) * 1000);
    if (!Number.isSafeInteger(us)) throw new RangeError(`not a time: ${v}`);
    const at = w.element(8);
    const high = Math.floor(us / TWO_TO_32);
    w.view.setInt32(at, high);
    w.view.setUint32(at + 4, us - high * TWO_TO_32);
  }
  return w.buf;
}

/** Strings shorter than this are measured and copied in JavaScript; longer ones by Buffer's C++. */
const SHORT_TEXT = 32;

/** The UTF-8 length of s: found in JavaScript for a short ASCII string, else by Buffer. */
function utf8Length(s: string): number {
  if (s.length < SHORT_TEXT) {
    let i = 0;
    while (i < s.length && s.charCodeAt(i) < 128) i++;
    if (i === s.length) return s.length;
  }
  return Buffer.byteLength(s, 'utf8');
}

/**
 * A text[] parameter (`$1::text[]`), or with `bpchar` a char(n)[] one (`$1::char(3)[]`): the
 * element type must be the statement's. PostgreSQL refuses a NUL character in text either way.
 */
export function textArray(values: readonly (string | null)[], type: 'text' | 'bpchar' = 'text'): Buffer {
  // Each element's byte length, found once: -1 for a null.
  const widths = new Int32Array(values.length);
  let nulls = 0;
  let bytes = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string | null;
    if (v === null) {
      widths[i] = -1;
      nulls++;
      continue;
    }
    const width = utf8Length(v);
    widths[i] = width;
    bytes += width;
  }
  const w = new ArrayWriter(values.length, nulls, type === 'text' ? TEXT_OID : BPCHAR_OID, bytes);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string | null;
    const width = widths[i] as number;
    if (v === null) {
      w.null();
      continue;
    }
    let at = w.element(width);
    if (width !== v.length) {
      w.buf.write(v, at, 'utf8');
    } else if (v.length >= SHORT_TEXT) {
      // All ASCII (a non-ASCII character takes two bytes or more, so the lengths would differ),
      // for which latin1 writes the same bytes as UTF-8, without encoding.
      w.buf.write(v, at, 'latin1');
    } else {
      for (let j = 0; j < v.length; j++) w.buf[at++] = v.charCodeAt(j);
    }
  }
  return w.buf;
}
