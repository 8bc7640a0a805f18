// Identifiers. Every id corebank issues is a UUID; a string that is not one names nothing, and
// is answered without asking the database (which would refuse to compare it with a uuid column).
//
// The ids corebank mints in its own code (customers; on every money movement, transactions and
// so their ledger transfers and entries, audit rows, fraud alerts) are UUIDv7 (RFC 9562): 48 bits
// of Unix milliseconds, then 74 random bits. Ids of one moment sort together, so a B-tree over them grows at its right
// edge, like one over a sequence, instead of at a random leaf per insert. Random (v4) keys make
// every insert touch a leaf the cache may not hold, and the first change to a leaf after a
// checkpoint writes the whole page to the WAL: 100,000 inserts after a checkpoint wrote 99 MB
// of WAL with v4 keys and 16 MB with v7 keys, into a primary key a quarter smaller
// (docs/benchmarks.md, tenth round). The id reveals when its row was made, which the row's own
// created_at tells anyone allowed to read it; 74 random bits keep ids unguessable.
import { randomHex } from './random.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID.test(s);

/** The variant nibble (binary 10xx) from a random hexadecimal digit. */
const VARIANT = '89ab89ab89ab89ab';

/** A new UUIDv7, `at` (default now) in Unix milliseconds. */
export function newId(at: number = Date.now()): string {
  if (!Number.isInteger(at) || at < 0 || at >= 2 ** 48) throw new RangeError(`newId: not a time: ${at}`);
  const time = at.toString(16).padStart(12, '0');
  const r = randomHex(10);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${r.slice(0, 3)}-${VARIANT[parseInt(r[3] as string, 16)]}${r.slice(4, 7)}-${r.slice(7, 19)}`;
}
