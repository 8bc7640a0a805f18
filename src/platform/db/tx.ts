// tx(): the one way to write. It runs fn in a transaction and retries serialization failures
// and deadlocks with jittered exponential backoff; every write path is idempotent, so a retry
// repeats nothing that already took effect.
import type pg from 'pg';

const RETRYABLE = new Set(['40001', '40P01']);

export interface TxOptions {
  isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
  maxAttempts?: number;
  /** Further errors that mean "another transaction got there first: run again". */
  retryOn?: (err: unknown) => boolean;
}

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function tx<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  opts: TxOptions = {},
): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query(opts.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation}` : 'BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is unusable: drop it from the pool
      }
      if (attempt < maxAttempts && (isRetryable(err) || opts.retryOn?.(err))) {
        await sleep(Math.random() * Math.min(200, 2 ** attempt * 5));
        continue;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
