// The ledger's public API. Writes take a batch and return one result per transfer, like
// TigerBeetle's create_transfers; a single transfer is a batch of one. `postTransfers` runs
// inside a caller's database transaction (so a product record, an audit row and an outbox row
// commit with the ledger rows); `createTransfers` is the same in a transaction of its own.
import type { Pool, PoolClient, Queryable } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import type { Metrics } from '../../platform/metrics.js';
import { isUuid } from '../../platform/ids.js';
import { planBatch, type AccountState, type EngineInput, type KnownTransfer } from './engine.js';
import * as repo from './repo.js';
import { createHash } from 'node:crypto';
import type {
  AccountKind,
  InternalPurpose,
  LedgerAccount,
  LedgerAccountStatus,
  NewLedgerAccount,
  TransferInput,
  TransferResult,
} from './types.js';

export { reconcile, type ReconcileReport } from './reconcile.js';

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

export async function createLedgerAccounts(
  q: Queryable,
  accounts: NewLedgerAccount[],
): Promise<LedgerAccount[]> {
  return accounts.length === 0 ? [] : repo.insertAccounts(q, accounts);
}

export const getLedgerAccount = repo.selectAccount;
export const balanceAt = repo.selectBalanceAt;

const internalKinds: Record<InternalPurpose, AccountKind> = {
  VAULT: 'asset',
  CLEARING: 'asset',
  INTEREST_EXPENSE: 'expense',
  FEE_INCOME: 'income',
  SUSPENSE: 'liability',
};

/** The id of the bank's own account of this purpose in this currency: derived, no lookup. */
export function internalAccountIdOf(currency: string, purpose: InternalPurpose): string {
  const h = createHash('md5').update(`corebank-internal:${currency}:${purpose}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Creates the bank's own accounts for a currency (migrations do it for the seeded ones). */
export async function ensureInternalAccounts(q: Queryable, currency: string): Promise<void> {
  const purposes = Object.keys(internalKinds) as InternalPurpose[];
  await q.query(
    `insert into ledger_accounts (id, currency, kind, purpose)
     select id, $1, kind, purpose from unnest($2::uuid[], $3::text[], $4::text[]) as v (id, kind, purpose)
     on conflict do nothing`,
    [
      currency,
      purposes.map((p) => internalAccountIdOf(currency, p)),
      purposes.map((p) => internalKinds[p]),
      purposes,
    ],
  );
}

/** Like internalAccountIdOf, and makes sure the account exists. */
export async function internalAccountId(
  q: Queryable,
  currency: string,
  purpose: InternalPurpose,
): Promise<string> {
  const id = internalAccountIdOf(currency, purpose);
  if (!(await repo.selectAccount(q, id))) await ensureInternalAccounts(q, currency);
  return id;
}

/** A batch's locked accounts and the transfers it names, read in its transaction. */
export interface LedgerLocks {
  accounts: AccountState[];
  known: Map<string, KnownTransfer>;
  now: Date;
}

/**
 * Step one of a batch: lock the accounts the transfers touch (and those of the pendings and
 * reversal targets they name) and read the transfers they name. The two statements are sent
 * together (the pool pipelines) but stay two: the read must take its snapshot after the lock
 * statement has waited out the batches holding those rows, so that it sees what they committed.
 * Locking more than is later posted is harmless: a caller may lock for movements it then drops.
 */
export async function lockForBatch(
  client: PoolClient,
  transfers: readonly TransferInput[] | readonly EngineInput[],
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
    return { accounts: [], known: new Map(), now: new Date() };
  const [{ accounts, now }, known] = await Promise.all([
    repo.lockAccounts(client, [...accountIds], [...referenced]),
    repo.selectKnownTransfers(client, [...transferIds]),
  ]);
  return { accounts, known, now };
}

export interface PlannedBatch {
  /** One per transfer, in input order: decided before anything is written. */
  results: TransferResult[];
  /** Sends the batch's write without waiting for it; settles when the server has applied it. */
  write(): Promise<void>;
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
  const locked = new Set(accounts.map((a) => a.id));
  const missing = [...known.values()]
    .flatMap((t) => [t.debitAccountId, t.creditAccountId])
    .filter((id) => !locked.has(id));
  const all =
    missing.length > 0 ? [...accounts, ...(await repo.lockAccounts(client, missing, [])).accounts] : accounts;

  const plan = planBatch(batch, all, known, now, segments);
  if (metrics && batch.length > 0) {
    metrics.ledgerBatches.inc();
    for (const r of plan.results) metrics.ledgerTransfers.inc({ result: r });
  }
  return {
    results: batch.map((t, i) => ({ id: t.id, result: plan.results[i] ?? 'linked_event_failed' })),
    write: () => (batch.length === 0 ? Promise.resolve() : repo.writeBatch(client, plan)),
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

/**
 * Posts a batch in a transaction of its own, retrying serialization failures and id races.
 *
 * Group commit: at most two batch transactions per pool run at once — one holding its locks in
 * the database while the next prepares. Batches that share accounts run one after another
 * anyway; letting more in only builds a convoy of transactions each holding some locks while
 * waiting for others (16 concurrent callers: 7.1k → 9.4k transfers/s with the limit). Callers
 * that arrive while both places are taken wait, and the moment a place frees everything waiting
 * leaves as ONE transaction (up to MAX_GROUPED_TRANSFERS transfers): each caller's batch is
 * decided in arrival order as if posted alone after the one before it (planBatch's segments),
 * and a transaction's fixed costs — round trips, statements, the commit — are paid once for all
 * of them. If such a group fails as a whole for a reason tx() does not retry, its batches are
 * posted again one by one, so an error reaches only the caller whose batch caused it.
 */
export function createTransfers(
  pool: Pool,
  batch: readonly TransferInput[],
  metrics?: Metrics,
): Promise<TransferResult[]> {
  let committer = committers.get(pool);
  if (!committer) {
    committer = groupCommitter(pool);
    committers.set(pool, committer);
  }
  return committer(batch, metrics);
}

const MAX_INFLIGHT_BATCHES = 2;
/** Bigger groups save little more per transfer (docs/benchmarks.md) and hold locks longer. */
const MAX_GROUPED_TRANSFERS = 2000;
type Committer = (batch: readonly TransferInput[], metrics?: Metrics) => Promise<TransferResult[]>;
const committers = new WeakMap<Pool, Committer>();

/** Posts batches as one transaction; results per batch, in the order given. */
async function postGroup(
  pool: Pool,
  batches: readonly (readonly TransferInput[])[],
  metrics?: Metrics,
): Promise<TransferResult[][]> {
  const all = batches.flat();
  const results = await tx(
    pool,
    async (client, ctx) => {
      const locks = await lockForBatch(client, all);
      const planned = await planLockedBatch(
        client,
        all,
        locks,
        metrics,
        batches.map((b) => b.length),
      );
      // The write travels with COMMIT (one round trip less while the locks are held); tx()
      // throws its error, if it has one, instead of returning the results.
      ctx.alongCommit(planned.write());
      return planned.results;
    },
    { retryOn: isLedgerRace },
  );
  let at = 0;
  return batches.map((b) => results.slice(at, (at += b.length)));
}

function groupCommitter(pool: Pool): Committer {
  interface Waiting {
    batch: readonly TransferInput[];
    metrics: Metrics | undefined;
    resolve(results: TransferResult[]): void;
    reject(err: unknown): void;
  }
  const queue: Waiting[] = [];
  let running = 0;

  const post = async (group: Waiting[]) => {
    try {
      const results = await postGroup(
        pool,
        group.map((w) => w.batch),
        group[0]?.metrics,
      );
      group.forEach((w, i) => w.resolve(results[i] ?? []));
    } catch (err) {
      if (group.length === 1) return group[0]?.reject(err);
      for (const w of group) {
        await postGroup(pool, [w.batch], w.metrics).then((r) => w.resolve(r[0] ?? []), w.reject);
      }
    }
  };

  const next = () => {
    while (running < MAX_INFLIGHT_BATCHES && queue.length > 0) {
      let n = 1;
      let size = queue[0]?.batch.length ?? 0;
      while (n < queue.length && size + (queue[n]?.batch.length ?? 0) <= MAX_GROUPED_TRANSFERS) {
        size += queue[n]?.batch.length ?? 0;
        n++;
      }
      const group = queue.splice(0, n);
      running++;
      void post(group).finally(() => {
        running--;
        next();
      });
    }
  };

  return (batch, metrics) =>
    new Promise<TransferResult[]>((resolve, reject) => {
      queue.push({ batch, metrics, resolve, reject });
      next();
    });
}

/** Voids pending transfers whose timeout has passed, releasing their funds. Returns how many. */
export async function expirePendingTransfers(pool: Pool, limit = 1000): Promise<number> {
  const ids = await repo.selectExpiredPending(pool, limit);
  if (ids.length === 0) return 0;
  const batch: EngineInput[] = ids.map((pendingId) => ({
    id: expiryIdFor(pendingId),
    phase: 'expire_pending',
    pendingId,
    code: 'EXPIRY',
  }));
  const results = await tx(pool, (client) => postTransfers(client, batch));
  return results.filter((r) => r.result === 'ok').length;
}

/** The expiry of a pending has a fixed id derived from it, so two sweepers cannot both expire it. */
export function expiryIdFor(pendingId: string): string {
  const h = createHash('sha256').update(`corebank:expiry:${pendingId}`).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function setLedgerAccountStatus(
  q: Queryable,
  id: string,
  status: LedgerAccountStatus,
): Promise<void> {
  await repo.updateAccountStatus(q, id, status);
}

export async function setOverdraftLimit(q: Queryable, id: string, limit: bigint): Promise<void> {
  await repo.updateOverdraftLimit(q, id, limit);
}
