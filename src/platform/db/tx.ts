// tx(): the one way to write. It runs fn in a transaction and retries serialization failures
// and deadlocks with jittered exponential backoff; every write path is idempotent, so a retry
// repeats nothing that already took effect.
//
// The pool's connections pipeline (pool.ts): a statement is written to the server the moment it
// is issued, behind any still running, and replies come back in order. tx() uses that twice:
// BEGIN travels with fn's first statements instead of costing a round trip of its own, and
// statements fn hands to `ctx.alongCommit` or `ctx.sendWithCommit` travel with COMMIT. Sending
// BEGIN without waiting is safe because a connection taken from the pool is never inside a
// transaction (tx ends every one, and drops a connection whose ROLLBACK failed), and from that
// state BEGIN cannot fail short of losing the connection, which fails everything behind it too.
// Even so, its reply is checked before COMMIT is sent.
import type pg from 'pg';
import { sendTogether } from './together.js';

const RETRYABLE = new Set(['40001', '40P01']);

export interface TxOptions {
  isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
  maxAttempts?: number;
  /** Further errors that mean "another transaction got there first: run again". */
  retryOn?: (err: unknown) => boolean;
}

export interface TxContext {
  /**
   * Statements already sent whose replies fn does not need: COMMIT is sent right behind them,
   * and they are checked after it. If one failed, the server turned the COMMIT into a rollback,
   * and tx() throws that statement's error as if fn had.
   */
  alongCommit(sent: Promise<unknown>): void;
  /**
   * Statements fn leaves to be issued after it returns, in the same write as COMMIT: one write
   * and one wake-up of the server fewer than issuing them itself, and the transaction's locks are
   * released a round trip sooner. `issue` must only issue statements and return their promise
   * (as for sendTogether); they are checked as alongCommit's are. Once per transaction.
   */
  sendWithCommit(issue: () => Promise<unknown>): void;
}

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reply to COMMIT names what the server did: ROLLBACK when the transaction had failed. */
export class CommitRefusedError extends Error {
  constructor(command: string | null) {
    super(`COMMIT was answered with ${command ?? 'nothing'}: the transaction was rolled back`);
  }
}

async function attempt<T>(
  client: pg.PoolClient,
  fn: (client: pg.PoolClient, ctx: TxContext) => Promise<T>,
  opts: TxOptions,
): Promise<T> {
  const along: Promise<unknown>[] = [];
  let last: (() => Promise<unknown>) | undefined;
  const ctx: TxContext = {
    alongCommit(sent) {
      sent.catch(() => undefined); // read below
      along.push(sent);
    },
    sendWithCommit(issue) {
      if (last) throw new Error('sendWithCommit: once per transaction');
      last = issue;
    },
  };
  // BEGIN and whatever fn issues before it first waits leave in one write.
  const [begun, running] = sendTogether(client, () => {
    const b = client.query(opts.isolation ? `BEGIN ISOLATION LEVEL ${opts.isolation}` : 'BEGIN');
    b.catch(() => undefined); // read below; an early failure of fn must not leave it unhandled
    return [b, fn(client, ctx)] as const;
  });
  let result: T;
  try {
    result = await running;
    await begun;
  } catch (err) {
    await Promise.allSettled(along); // nothing is left in flight when the caller rolls back
    throw err;
  }
  const committed = sendTogether(client, () => {
    if (last) ctx.alongCommit(last());
    return client.query('COMMIT');
  });
  committed.catch(() => undefined);
  const settled = await Promise.allSettled(along);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const reply = await committed;
  if (failed) throw failed.reason;
  if (reply.command !== 'COMMIT') throw new CommitRefusedError(reply.command);
  return result;
}

export async function tx<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, ctx: TxContext) => Promise<T>,
  opts: TxOptions = {},
): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 8;
  for (let n = 1; ; n++) {
    const client = await pool.connect();
    let broken = false;
    try {
      return await attempt(client, fn, opts);
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is unusable: drop it from the pool
      }
      if (n < maxAttempts && (isRetryable(err) || opts.retryOn?.(err))) {
        await sleep(Math.random() * Math.min(200, 2 ** n * 5));
        continue;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
