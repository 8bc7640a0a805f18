// SQL of statements: one indexed range read of an account's ledger entries, each with the
// customer-facing transaction it belongs to (by the transfer that moved the money, or else the
// one that settled a hold), its ledger transfer (the code, when there is no transaction), and
// the other side's account number.
import type { Queryable } from '../../platform/db/pool.js';

export interface StatementLineRow {
  entry_id: bigint;
  created_at: string;
  amount: bigint;
  balance_after: bigint;
  /** The ledger transfer's code, read only for an entry that no transaction carries. */
  code: string | null;
  transaction_id: string | null;
  reference: string | null;
  type: string | null;
  description: string | null;
  category: string | null;
  counterparty_number: string | null;
  counterparty_name: string | null;
}

/**
 * The account's entries with from <= created_at <= to, in posting order (created_at, id), from
 * ledger_entries_account_time_idx. Per entry, by index and only when needed: the transaction
 * (by the transfer that moved the money, else the one that settled a hold; LATERAL … LIMIT 1
 * stops at the first); the ledger transfer only for an entry no transaction carries (a
 * one-time filter skips it otherwise); the other side's account number only when the other
 * side is a customer account. OFFSET 0 keeps each lookup a per-line index probe: the cost
 * follows the number of lines, never the size of the transactions or transfers tables (a hash
 * join would read both whole once a statement is large). Plan and timings: docs/reports.md.
 */
export const STATEMENT_LINES_SQL = `select e.id as entry_id, e.created_at, e.amount, e.balance_after, t.code,
       x.id as transaction_id, x.reference, x.type, x.description, x.category,
       other.account_number as counterparty_number, x.counterparty ->> 'name' as counterparty_name
from ledger_entries e
left join lateral (
  (select id, reference, type, description, category, counterparty, from_account_id, to_account_id
   from transactions where transfer_id = e.transfer_id)
  union all
  (select id, reference, type, description, category, counterparty, from_account_id, to_account_id
   from transactions where settlement_transfer_id = e.transfer_id)
  limit 1) x on true
left join lateral (
  select code, debit_account_id, credit_account_id from ledger_transfers
  where id = e.transfer_id and x.id is null offset 0) t on true
left join lateral (
  select account_number from accounts
  where id = case when e.amount < 0 then coalesce(x.to_account_id, t.credit_account_id)
                  else coalesce(x.from_account_id, t.debit_account_id) end
  offset 0) other on true
where e.account_id = $1 and e.created_at >= $2::timestamptz and e.created_at <= $3::timestamptz
order by e.created_at, e.id`;

export async function selectStatementLines(
  q: Queryable,
  accountId: string,
  from: string,
  to: string,
): Promise<StatementLineRow[]> {
  const { rows } = await q.query<StatementLineRow>(STATEMENT_LINES_SQL, [accountId, from, to]);
  return rows;
}
