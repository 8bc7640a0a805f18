// The steps of posting a batch inside a transaction: lock (or read) the accounts and the
// transfers the batch names, decide every transfer (the pure engine), write. Payments run them
// as rounds of their own transactions; createTransfers (group-commit.ts) runs them for callers
// of the ledger API; postTransfers runs them back to back.
import type { PoolClient } from '../../platform/db/pool.js';
import type { Metrics } from '../../platform/metrics.js';
import { isUuid } from '../../platform/ids.js';
import { planBatch, type AccountState, type EngineInput, type KnownTransfer } from './engine.js';
import * as repo from './repo.js';
import type { TransferInput, TransferResult } from './types.js';

/**
 * A unique violation on the ledger's own keys means another batch committed the same transfer
 * id (or resolved the same pending) between our read and our write: retrying the whole
 * transaction reads it and answers `exists` (or the right failure) instead.
 */
export function isLedgerRace(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return (
    e?.code === '23505' &&
    ['ledger_transfers_pkey', 'ledger_transfers_resolves_once', 'ledger_transfers_reverses_once'].includes(
      e.constraint ?? '',
    )
  );
}

/** A batch's locked accounts and the transfers it names, read in its transaction. */
export interface LedgerLocks {
  accounts: AccountState[];
  known: Map<string, KnownTransfer>;
  now: Date;
  /**
   * false: the accounts were read without a lock (group-commit.ts), so the write checks every
   * one of them, refused transfers' accounts included, against the state the plan assumed.
   */
  locked: boolean;
}

/**
 * Step one of a batch: lock the accounts the transfers touch (and those of the pendings and
 * reversal targets they name) and read the transfers they name. The two statements are sent
 * together (the pool pipelines) but stay two: the read must take its snapshot after the lock
 * statement has waited out the batches holding those rows, so that it sees what they committed.
 * Locking more than is later posted is harmless: a caller may lock for movements it then drops.
 * With `lock: false` the same rows are read without a lock.
 */
export async function lockForBatch(
  client: PoolClient,
  transfers: readonly TransferInput[] | readonly EngineInput[],
  lock = true,
): Promise<LedgerLocks> {
  const accountIds = new Set<string>();
  const transferIds = new Set<string>();
  const referenced = new Set<string>(); // pendings and reversal targets: their accounts are locked too
  for (const t of transfers) {
    for (const id of [t.debitAccountId, t.creditAccountId]) if (isUuid(id)) accountIds.add(id);
    if (isUuid(t.id)) transferIds.add(t.id);
    for (const id of [t.pendingId, t.reversesId]) {
      if (isUuid(id)) {
        transferIds.add(id);
        referenced.add(id);
      }
    }
  }
  if (accountIds.size === 0 && transferIds.size === 0)
    return { accounts: [], known: new Map(), now: new Date(), locked: lock };
  const [{ accounts, now }, known] = await Promise.all([
    repo.lockAccounts(client, [...accountIds], [...referenced], lock),
    repo.selectKnownTransfers(client, [...transferIds]),
  ]);
  return { accounts, known, now, locked: lock };
}

export interface PlannedBatch {
  /** One per transfer, in input order: decided before anything is written. */
  results: TransferResult[];
  /**
   * Sends the batch's write without waiting for it; settles when the server has applied it.
   * `after`: the ticket of the batch this one was planned after (group-commit.ts).
   */
  write(after?: bigint): Promise<void>;
  /** What the batch leaves behind if it commits: for the batch planned after it (group-commit.ts). */
  forecast(): Forecast;
}

/** The accounts a batch read, as it leaves them if it commits, and the transfers it creates. */
export interface Forecast {
  accounts: ReadonlyMap<string, AccountState>;
  transfers: readonly KnownTransfer[];
}

/**
 * Step two: decide every transfer against the locked state. Writing is left to the caller, so
 * that the batch's write can leave together with the caller's next statements (sendTogether).
 * `batch` may be a subset of what was locked; `segments` splits it into independent batches
 * (planBatch).
 */
export async function planLockedBatch(
  client: PoolClient,
  batch: readonly TransferInput[] | readonly EngineInput[],
  locks: LedgerLocks,
  metrics?: Metrics,
  segments?: readonly number[],
): Promise<PlannedBatch> {
  const { accounts, known, now } = locks;
  // A pending committed by another batch after our lock statement began names accounts we
  // have not locked yet: lock them too (still in id order; tx() retries a rare deadlock).
  const have = new Set(accounts.map((a) => a.id));
  const missing = [...known.values()]
    .flatMap((t) => [t.debitAccountId, t.creditAccountId])
    .filter((id) => !have.has(id));
  const all =
    missing.length > 0
      ? [...accounts, ...(await repo.lockAccounts(client, missing, [], locks.locked)).accounts]
      : accounts;

  const plan = planBatch(batch, all, known, now, segments);
  if (metrics && batch.length > 0) {
    metrics.ledgerBatches.inc();
    for (const r of plan.results) metrics.ledgerTransfers.inc({ result: r });
  }
  const before = new Map(all.map((a) => [a.id, a]));
  return {
    results: batch.map((t, i) => ({ id: t.id, result: plan.results[i] ?? 'linked_event_failed' })),
    write: (after) =>
      batch.length === 0
        ? Promise.resolve()
        : repo.writeBatch(client, plan, before, { checkAll: !locks.locked, after }),
    forecast: () => {
      const after = new Map(before);
      for (const a of plan.accounts) after.set(a.id, a);
      return { accounts: after, transfers: plan.transfers };
    },
  };
}

/** Posts a batch inside the caller's transaction. Results are in input order. */
export async function postTransfers(
  client: PoolClient,
  batch: readonly TransferInput[] | readonly EngineInput[],
  metrics?: Metrics,
): Promise<TransferResult[]> {
  if (batch.length === 0) return [];
  const { results, write } = await planLockedBatch(client, batch, await lockForBatch(client, batch), metrics);
  await write();
  return results;
}
