// The ledger's SQL. Each batch is a fixed number of statements whatever its size: one lock (or
// read) of every account row in id order, one read of the transfers it names, then two writing
// statements with one multi-row clause per table written (writeBatch).
import type { Queryable } from '../../platform/db/pool.js';
import { int8Array, textArray, uuidArray } from '../../platform/db/binary-array.js';
import { jsonColumn } from '../../platform/db/json-column.js';
import { named } from '../../platform/db/prepared.js';
import type { AccountState, BatchPlan, KnownTransfer } from './engine.js';
import type {
  AccountKind,
  AccountPurpose,
  LedgerAccount,
  LedgerAccountStatus,
  NewLedgerAccount,
} from './types.js';

interface AccountRow {
  id: string;
  currency: string;
  kind: AccountKind;
  purpose: AccountPurpose;
  status: LedgerAccountStatus;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  overdraft_limit: bigint;
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
  credits_pending: bigint;
  created_at: string;
}

const accountColumns = `id, currency, kind, purpose, status, debits_must_not_exceed_credits,
  credits_must_not_exceed_debits, overdraft_limit, debits_posted, credits_posted, debits_pending,
  credits_pending, created_at`;

export function toLedgerAccount(r: AccountRow): LedgerAccount {
  return {
    id: r.id,
    currency: r.currency,
    kind: r.kind,
    purpose: r.purpose,
    status: r.status,
    debitsMustNotExceedCredits: r.debits_must_not_exceed_credits,
    creditsMustNotExceedDebits: r.credits_must_not_exceed_debits,
    overdraftLimit: r.overdraft_limit,
    debitsPosted: r.debits_posted,
    creditsPosted: r.credits_posted,
    debitsPending: r.debits_pending,
    creditsPending: r.credits_pending,
    createdAt: r.created_at,
  };
}

export async function insertAccounts(q: Queryable, accounts: NewLedgerAccount[]): Promise<LedgerAccount[]> {
  const { rows } = await q.query<AccountRow>(
    `insert into ledger_accounts (id, currency, kind, purpose, debits_must_not_exceed_credits,
       credits_must_not_exceed_debits, overdraft_limit)
     select coalesce(id, gen_random_uuid()), currency, kind, purpose, dmnec, cmned, overdraft
     from unnest($1::uuid[], $2::char(3)[], $3::text[], $4::text[], $5::bool[], $6::bool[], $7::int8[])
       with ordinality as v (id, currency, kind, purpose, dmnec, cmned, overdraft, ord)
     order by ord
     returning ${accountColumns}`,
    [
      accounts.map((a) => a.id ?? null),
      accounts.map((a) => a.currency),
      accounts.map((a) => a.kind),
      accounts.map((a) => a.purpose ?? 'CUSTOMER'),
      accounts.map((a) => a.debitsMustNotExceedCredits ?? false),
      accounts.map((a) => a.creditsMustNotExceedDebits ?? false),
      accounts.map((a) => (a.overdraftLimit ?? 0n).toString()),
    ],
  );
  return rows.map(toLedgerAccount);
}

export async function selectAccount(q: Queryable, id: string): Promise<LedgerAccount | undefined> {
  const { rows } = await q.query<AccountRow>(`select ${accountColumns} from ledger_accounts where id = $1`, [
    id,
  ]);
  return rows[0] && toLedgerAccount(rows[0]);
}

/**
 * Locks the accounts a batch touches, in ascending id order in one statement, so two batches
 * can never wait on each other in a cycle. `transferIds` adds the accounts of those (pending
 * and reversal target) transfers. Returns the rows and the time, for the rules (expiry); the
 * rows written get their timestamp in writeBatch, after the locks are held. With `lock: false`
 * the same rows are only read: for a batch whose write checks them (writeBatch's `checkAll`).
 */
export async function lockAccounts(
  q: Queryable,
  accountIds: string[],
  transferIds: string[],
  lock = true,
): Promise<{ accounts: AccountState[]; now: Date }> {
  const ids =
    transferIds.length === 0
      ? '$1::uuid[]'
      : `array(select unnest($1::uuid[]) union
               select unnest(array[debit_account_id, credit_account_id]) from ledger_transfers where id = any($2::uuid[]))`;
  const { rows } = await q.query<AccountRow & { now: string }>(
    named(
      `select ${accountColumns}, clock_timestamp()::text as now
     from ledger_accounts
     where id = any(${ids})
     order by id${lock ? '\n     for update' : ''}`,
      transferIds.length === 0 ? [uuidArray(accountIds)] : [uuidArray(accountIds), uuidArray(transferIds)],
    ),
  );
  return {
    accounts: rows.map(toLedgerAccount),
    now: rows[0] ? new Date(rows[0].now) : new Date(),
  };
}

interface TransferRow {
  id: string;
  phase: KnownTransfer['phase'];
  debit_account_id: string;
  credit_account_id: string;
  amount: bigint;
  currency: string;
  pending_id: string | null;
  reverses_id: string | null;
  code: string;
  linked: boolean;
  timeout_seconds: number | null;
  expires_at: string | null;
  metadata: Record<string, unknown>;
  resolution: KnownTransfer['resolution'];
  reversed: boolean;
}

/**
 * The stored transfers with these ids, with how each pending was resolved and whether each was
 * reversed. An open hold's deadline is read from ledger_pending, the live index of holds.
 */
export async function selectKnownTransfers(q: Queryable, ids: string[]): Promise<Map<string, KnownTransfer>> {
  const { rows } = await q.query<TransferRow>(
    named(
      `select t.id, t.phase, t.debit_account_id, t.credit_account_id, t.amount, t.currency, t.pending_id,
            t.reverses_id, t.code, t.linked, t.timeout_seconds, coalesce(h.expires_at, t.expires_at) as expires_at,
            t.metadata, (select r.phase from ledger_transfers r where r.pending_id = t.id) as resolution,
            exists (select 1 from ledger_transfers r where r.reverses_id = t.id) as reversed
     from ledger_transfers t left join ledger_pending h on h.transfer_id = t.id
     where t.id = any($1::uuid[])`,
      [uuidArray(ids)],
    ),
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        phase: r.phase,
        debitAccountId: r.debit_account_id,
        creditAccountId: r.credit_account_id,
        amount: r.amount,
        currency: r.currency,
        pendingId: r.pending_id,
        reversesId: r.reverses_id,
        code: r.code,
        linked: r.linked,
        timeoutSeconds: r.timeout_seconds,
        expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
        metadata: r.metadata,
        resolution: r.resolution,
        reversed: r.reversed,
      },
    ]),
  );
}

/**
 * Writes a planned batch in two statements, sent together (one round trip):
 *
 * 1. the transfers, their entries and the holds opened, in ONE statement, so its statement-level
 *    triggers check transfers against entries in both directions (a posted transfer without its
 *    entries is refused, and so are entries without their transfer). PostgreSQL runs the
 *    data-modifying WITH clauses last-listed first: the holds go in last, and before them the
 *    statement waits for `after`, the ticket of the batch this one was planned after
 *    (ledger_wait_for, migration 0113), so the triggers — the entries' balance chain — see
 *    that batch committed while the inserts ran side by side with it.
 * 2. the account totals (rows in id order, so two batches lock them in the same order) and the
 *    holds closed. A statement of its own, so its snapshot is taken after that wait.
 *
 * `before` holds the state the plan assumed of every account it read. The totals are written
 * for the accounts the plan changed — and, with `checkAll`, for every account in `before`,
 * unchanged ones included — and each row written must still match `before`, or the statement
 * fails as a serialization failure (ledger_account_changed, migration 0113). For a batch that
 * locked its accounts first the check always holds; for one planned on states read without a
 * lock it is what makes the plan safe, refusals included.
 */
export async function writeBatch(
  q: Queryable,
  plan: BatchPlan,
  before: ReadonlyMap<string, AccountState>,
  opts: { checkAll?: boolean; after?: bigint } = {},
): Promise<void> {
  const { transfers: t, entries: e, pendingInserts: pi, pendingDeletes: pd } = plan;
  const changed = new Map(plan.accounts.map((x) => [x.id, x]));
  const ids = [...(opts.checkAll ? before.keys() : changed.keys())].sort();
  if (t.length === 0 && ids.length === 0) return;
  const assumed = ids.map((id) => {
    const account = before.get(id);
    if (!account) throw new Error(`ledger: no prior state of account ${id} to check`);
    return account;
  });
  const written = ids.map((id, i) => changed.get(id) ?? (assumed[i] as AccountState));
  const inserted = q.query(
    named(
      `with batch_time as materialized (select clock_timestamp() as t),
     opened_holds as (
       insert into ledger_pending (transfer_id, debit_account_id, credit_account_id, amount, expires_at)
       select * from unnest($18::uuid[], $19::uuid[], $20::uuid[], $21::int8[], $22::timestamptz[])
       where (select ledger_wait_for($23::int8))),
     new_entries as (
       insert into ledger_entries (account_id, transfer_id, amount, balance_after, created_at)
       select account_id, transfer_id, amount, balance_after, (select t from batch_time)
       from unnest($14::uuid[], $15::uuid[], $16::int8[], $17::int8[])
         with ordinality as v (account_id, transfer_id, amount, balance_after, ord)
       order by ord),
     new_transfers as (
       insert into ledger_transfers (id, phase, debit_account_id, credit_account_id, amount, currency, pending_id,
         reverses_id, code, linked, timeout_seconds, expires_at, metadata, created_at)
       select id, phase, debit, credit, amount, currency, pending_id, reverses_id, code, linked, timeout, expires_at,
              metadata, (select t from batch_time)
       from rows from (unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::int8[], $6::char(3)[], $7::uuid[],
                              $8::uuid[], $9::text[], $10::bool[], $11::int4[], $12::timestamptz[]),
                       jsonb_array_elements($13::jsonb))
         with ordinality as v (id, phase, debit, credit, amount, currency, pending_id, reverses_id, code, linked,
                               timeout, expires_at, metadata, ord)
       order by ord)
     select 1`,
      [
        uuidArray(t.map((x) => x.id)),
        textArray(t.map((x) => x.phase)),
        uuidArray(t.map((x) => x.debitAccountId)),
        uuidArray(t.map((x) => x.creditAccountId)),
        int8Array(t.map((x) => x.amount)),
        textArray(
          t.map((x) => x.currency),
          'bpchar',
        ),
        uuidArray(t.map((x) => x.pendingId)),
        uuidArray(t.map((x) => x.reversesId)),
        textArray(t.map((x) => x.code)),
        t.map((x) => x.linked),
        t.map((x) => x.timeoutSeconds),
        t.map((x) => x.expiresAt?.toISOString() ?? null),
        jsonColumn(t.map((x) => x.metadata)),
        uuidArray(e.map((x) => x.accountId)),
        uuidArray(e.map((x) => x.transferId)),
        int8Array(e.map((x) => x.amount)),
        int8Array(e.map((x) => x.balanceAfter)),
        uuidArray(pi.map((x) => x.transferId)),
        uuidArray(pi.map((x) => x.debitAccountId)),
        uuidArray(pi.map((x) => x.creditAccountId)),
        int8Array(pi.map((x) => x.amount)),
        pi.map((x) => x.expiresAt?.toISOString() ?? null),
        opts.after?.toString() ?? null,
      ],
    ),
  );
  inserted.catch(() => undefined); // awaited below, after the second statement is sent
  const updated = q.query(
    named(
      `with closed_holds as (
       delete from ledger_pending where transfer_id = any($1::uuid[])),
     totals as (
       update ledger_accounts acc
       set debits_posted = case
             when (acc.debits_posted, acc.credits_posted, acc.debits_pending, acc.credits_pending, acc.status,
                   acc.overdraft_limit) = (v.odp, v.ocp, v.odq, v.ocq, v.ostatus, v.olimit)
             then v.dp else ledger_account_changed(acc.id) end,
           credits_posted = v.cp, debits_pending = v.dq, credits_pending = v.cq
       from unnest($2::uuid[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::int8[],
                   $9::int8[], $10::int8[], $11::text[], $12::int8[])
         as v (id, dp, cp, dq, cq, odp, ocp, odq, ocq, ostatus, olimit)
       where acc.id = v.id)
     select 1`,
      [
        uuidArray(pd),
        uuidArray(ids),
        int8Array(written.map((x) => x.debitsPosted)),
        int8Array(written.map((x) => x.creditsPosted)),
        int8Array(written.map((x) => x.debitsPending)),
        int8Array(written.map((x) => x.creditsPending)),
        int8Array(assumed.map((x) => x.debitsPosted)),
        int8Array(assumed.map((x) => x.creditsPosted)),
        int8Array(assumed.map((x) => x.debitsPending)),
        int8Array(assumed.map((x) => x.creditsPending)),
        textArray(assumed.map((x) => x.status)),
        int8Array(assumed.map((x) => x.overdraftLimit)),
      ],
    ),
  );
  updated.catch(() => undefined);
  await inserted;
  await updated;
}

export async function selectExpiredPending(q: Queryable, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ transfer_id: string }>(
    `select transfer_id from ledger_pending where expires_at <= clock_timestamp() order by expires_at limit $1`,
    [limit],
  );
  return rows.map((r) => r.transfer_id);
}

export async function updateAccountStatus(
  q: Queryable,
  id: string,
  status: LedgerAccountStatus,
): Promise<void> {
  await q.query('update ledger_accounts set status = $2 where id = $1', [id, status]);
}

export async function updateOverdraftLimit(q: Queryable, id: string, limit: bigint): Promise<void> {
  await q.query('update ledger_accounts set overdraft_limit = $2 where id = $1', [id, limit.toString()]);
}

export async function selectBalanceAt(q: Queryable, id: string, at: string): Promise<bigint> {
  const { rows } = await q.query<{ balance_after: bigint }>(
    `select balance_after from ledger_entries where account_id = $1 and created_at <= $2
     order by created_at desc, id desc limit 1`,
    [id, at],
  );
  return rows[0]?.balance_after ?? 0n;
}
