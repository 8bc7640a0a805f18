// The PostgreSQL pool. int8 comes back as bigint, timestamps as ISO strings, and both the pool
// and every client carry an error handler, so a database that dies does not crash Node.
//
// Its connections pipeline (node-postgres `pipeline`): a statement is written to the server as
// soon as it is issued, without waiting for the replies to those before it, and the replies come
// back in order, each with its own result or error. Code that awaits each statement sees no
// difference; code that issues independent statements together (tx()'s BEGIN and COMMIT, the
// movement batch in payments/movements.ts) saves a round trip for each one it does not wait for.
// Every statement carries its own Sync, so outside a transaction one failure fails nothing else;
// inside one, the statements behind a failure fail too (the transaction is aborted), as they would
// have one at a time.
import pg from 'pg';
import type { Logger } from 'pino';

pg.types.setTypeParser(pg.types.builtins.INT8, (v) => BigInt(v));
/**
 * A timestamptz as PostgreSQL prints it (DateStyle ISO) to an ISO string with milliseconds, as
 * `new Date(v).toISOString()` would give it. Values in UTC, the usual case, are rewritten as
 * text (five times cheaper than the Date parse, and every row carries a few); anything else
 * (another offset, a year past 9999, BC) goes through Date.
 */
const UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;
export function timestamptzToIso(v: string): string {
  const m = UTC_TIMESTAMP.exec(v);
  if (!m) return new Date(v).toISOString();
  const fraction = m[3] ?? '';
  const millis = fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0');
  return `${m[1]}T${m[2]}.${millis}Z`;
}

pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, timestamptzToIso);
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (v) => new Date(`${v}Z`).toISOString());
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** True for the pool itself, false for a client (which may be inside a transaction). */
export const isPool = (q: Queryable): q is pg.Pool => q instanceof pg.Pool;

export interface PoolOptions {
  connectionString: string;
  max?: number;
  log?: Pick<Logger, 'error' | 'warn'>;
  applicationName?: string;
}

export function createPool(opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 20,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'corebank',
    pipeline: true,
  });
  // Idle connections die when the server restarts or shuts down: log it and let the pool
  // replace them. Only message and code are logged (the error carries the client object).
  const report = (err: Error) =>
    opts.log?.warn(
      { code: (err as { code?: string }).code, message: err.message },
      'database connection lost',
    );
  pool.on('error', report);
  pool.on('connect', (client) => {
    client.on('error', report);
  });
  return pool;
}
