// The movement executor. Off, every movement runs in a transaction of its own. On, concurrent
// movements are gathered for up to `windowMs` (or `maxSize` of them, or for as long as the
// batches before them are still running — group commit) and carried out together
// in one transaction by executeMovements — one lock round, one statement per table — and each
// caller gets its own outcome. If a batch's transaction fails as a whole for a reason that is
// not a retryable conflict, its movements are re-run one by one, so one bad movement can never
// fail its neighbours.
import { DEFAULT_MOVEMENT_BATCHES_IN_FLIGHT } from '../../platform/config.js';
import type { Pool } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Screener } from '../fraud/screen.js';
import { isLedgerRace } from '../ledger/service.js';
import { executeMovements } from './movements.js';
import type { MovementOutcome, MovementRequest } from './types.js';

export interface MovementExecutor {
  submit(request: MovementRequest): Promise<MovementOutcome>;
  close(): Promise<void>;
}

export interface BatcherOptions {
  /** 0 turns batching off. */
  windowMs: number;
  maxSize: number;
  /**
   * Batches running at once (default: MOVEMENT_BATCHES_IN_FLIGHT's): while they are in the
   * database the next one gathers. Since a batch is three rounds of statements, two keep the
   * machine as busy as three did, with bigger batches and less CPU per movement (back-to-back
   * pairs in docs/benchmarks.md); more make smaller batches and more lock waits between them.
   */
  maxInFlight?: number;
  /** Fraud screening of outgoing customer movements (off when undefined). */
  screener?: Screener | undefined;
}

// A key's row is inserted under its advisory lock (repo.claimKeys), so two transactions of this
// version never insert the same key. One that wrote it without the lock (a server of an earlier
// version, during a rolling upgrade, claimed keys by inserting at the start) makes the insert
// fail with a unique violation once it commits; like ledger id races, re-running the batch
// resolves it: the re-run reads the key and replays its reply.
const isRace = (err: unknown) =>
  isLedgerRace(err) ||
  ((err as { code?: string; constraint?: string }).code === '23505' &&
    (err as { constraint?: string }).constraint === 'idempotency_keys_pkey');

function runAlone(
  pool: Pool,
  request: MovementRequest,
  metrics?: Metrics,
  screener?: Screener,
): Promise<MovementOutcome> {
  return tx(pool, async (c, ctx) => (await executeMovements(c, [request], metrics, screener, ctx))[0]!, {
    retryOn: isRace,
  });
}

export function createMovementExecutor(
  pool: Pool,
  opts: BatcherOptions,
  metrics?: Metrics,
): MovementExecutor {
  if (opts.windowMs <= 0 || opts.maxSize <= 1) {
    return { submit: (r) => runAlone(pool, r, metrics, opts.screener), close: async () => undefined };
  }
  type Waiting = { request: MovementRequest; resolve(o: MovementOutcome): void; reject(e: unknown): void };
  const maxInFlight = Math.max(1, opts.maxInFlight ?? DEFAULT_MOVEMENT_BATCHES_IN_FLIGHT);
  let queue: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  const execute = async (batch: Waiting[]) => {
    try {
      const outcomes = await tx(
        pool,
        (c, ctx) =>
          executeMovements(
            c,
            batch.map((w) => w.request),
            metrics,
            opts.screener,
            ctx,
          ),
        { retryOn: isRace },
      );
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch {
      // Isolate: each movement on its own, so only the one at fault fails.
      await Promise.all(
        batch.map((w) => runAlone(pool, w.request, metrics, opts.screener).then(w.resolve, w.reject)),
      );
    }
  };

  // Group commit: at most `maxInFlight` batches run at once. While they do, new movements keep
  // gathering, and the moment one finishes the next batch leaves with everything that arrived —
  // so batches grow with the load instead of being cut by the clock.
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 || inFlight.size >= maxInFlight) return;
    const batch = queue.slice(0, opts.maxSize);
    queue = queue.slice(batch.length);
    const run = execute(batch).finally(() => {
      inFlight.delete(run);
      if (queue.length > 0) flush();
    });
    inFlight.add(run);
    if (queue.length > 0 && inFlight.size < maxInFlight) timer = setTimeout(flush, opts.windowMs);
  };

  return {
    submit(request) {
      return new Promise<MovementOutcome>((resolve, reject) => {
        queue.push({ request, resolve, reject });
        if (queue.length >= opts.maxSize) flush();
        else if (inFlight.size < maxInFlight) timer ??= setTimeout(flush, opts.windowMs);
        // else: a running batch will pick this up when it finishes.
      });
    },
    async close() {
      while (queue.length > 0 || inFlight.size > 0) {
        flush();
        await Promise.allSettled([...inFlight]);
      }
    },
  };
}
