// Random bytes for identifiers minted on every request (ids, transaction references), taken
// from a pool refilled 4 KiB at a time, as Node's randomUUID does for its own: one randomBytes()
// call per identifier cost more than the rest of the identifier (8 µs against 0.5 µs here,
// docs/benchmarks.md, tenth round). Bytes are handed out once. These identifiers must be unique
// and unguessable enough not to be enumerated, not secret: tokens use crypto.ts's randomToken().
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let at = POOL_BYTES;

/** `bytes` random bytes (1 to 4096) as lower-case hexadecimal. */
export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > POOL_BYTES) {
    throw new RangeError(`randomHex: 1 to ${POOL_BYTES} bytes, not ${bytes}`);
  }
  if (at + bytes > POOL_BYTES) {
    randomFillSync(pool);
    at = 0;
  }
  const hex = pool.toString('hex', at, at + bytes);
  at += bytes;
  return hex;
}
