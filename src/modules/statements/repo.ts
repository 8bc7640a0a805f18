// SQL of statements: one indexed range read of an account's ledger entries, each joined to the
// customer-facing transaction it belongs to (by the transfer that moved the money, or the one
// that settled a hold), to its ledger transfer (the code, when there is no transaction), and to
// the other side's account number.
import type { Queryable } from '../../platform/db/pool.js';

export interface StatementLineRow {
  entry_id: bigint;
  created_at: string;
  amount: bigint;
  balance_after: bigint;
  transfer_id: string;
  code: string;
  transaction_id: string | null;
  reference: string | null;
  type: string | null;
  description: string | null;
  category: string | null;
  counterparty_number: string | null;
  counterparty_name: string | null;
}

/**
 * The account's entries with from <= created_at <= to, in ledger order. An account's entries
 * are written under its row lock, so their ids and times rise together and the rows of a period
 * are one contiguous stretch of its balance chain.
 */
export async function selectStatementLines(
  q: Queryable,
  accountId: string,
  from: string,
  to: string,
): Promise<StatementLineRow[]> {
  const { rows } = await q.query<StatementLineRow>(
    `select e.id as entry_id, e.created_at, e.amount, e.balance_after, e.transfer_id, t.code,
            coalesce(tx.id, ts.id) as transaction_id,
            coalesce(tx.reference, ts.reference) as reference,
            coalesce(tx.type, ts.type) as type,
            coalesce(tx.description, ts.description) as description,
            coalesce(tx.category, ts.category) as category,
            other.account_number as counterparty_number,
            coalesce(tx.counterparty, ts.counterparty) ->> 'name' as counterparty_name
     from ledger_entries e
     join ledger_transfers t on t.id = e.transfer_id
     left join transactions tx on tx.transfer_id = e.transfer_id
     left join transactions ts on ts.settlement_transfer_id = e.transfer_id
     left join accounts other
       on other.id = case when e.amount < 0 then t.credit_account_id else t.debit_account_id end
     where e.account_id = $1 and e.created_at >= $2::timestamptz and e.created_at <= $3::timestamptz
     order by e.created_at, e.id`,
    [accountId, from, to],
  );
  return rows;
}
