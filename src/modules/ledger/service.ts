// The ledger's public API. Writes take a batch and return one result per transfer, like
// TigerBeetle's create_transfers; a single transfer is a batch of one. `postTransfers` runs
// inside a caller's database transaction (so a product record, an audit row and an outbox row
// commit with the ledger rows); `createTransfers` is the same in a transaction of its own.
import type { Pool, Queryable } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import type { EngineInput } from './engine.js';
import * as repo from './repo.js';
import { postTransfers } from './steps.js';
import { createHash } from 'node:crypto';
import type {
  AccountKind,
  InternalPurpose,
  LedgerAccount,
  LedgerAccountStatus,
  NewLedgerAccount,
} from './types.js';

export { reconcile, type ReconcileReport } from './reconcile.js';
export { createTransfers } from './group-commit.js';
export {
  isLedgerRace,
  lockForBatch,
  planLockedBatch,
  postTransfers,
  type LedgerLocks,
  type PlannedBatch,
} from './steps.js';

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
