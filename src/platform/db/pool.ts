// The PostgreSQL pool. int8 comes back as bigint, timestamps as ISO strings, and both the pool
// and every client carry an error handler, so a database that dies does not crash Node.
import pg from 'pg';
import type { Logger } from 'pino';

pg.types.setTypeParser(pg.types.builtins.INT8, (v) => BigInt(v));
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v).toISOString());
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
