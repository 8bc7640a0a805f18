// SQL for product accounts. Every read joins the ledger account, which holds status and
// balances.
import { uuidArray } from '../../platform/db/binary-array.js';
import type { Queryable } from '../../platform/db/pool.js';
import { named } from '../../platform/db/prepared.js';
import type { LedgerAccountStatus } from '../ledger/types.js';

export interface AccountRow {
  id: string;
  customer_id: string;
  account_number: string;
  type: string;
  currency: string;
  interest_rate: string;
  nickname: string | null;
  opened_at: string;
  closed_at: string | null;
  status: LedgerAccountStatus;
  overdraft_limit: bigint;
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
  credits_pending: bigint;
}

const select = `select a.id, a.customer_id, a.account_number, a.type, a.currency, a.interest_rate::text as interest_rate,
  a.nickname, a.opened_at, a.closed_at, l.status, l.overdraft_limit, l.debits_posted, l.credits_posted,
  l.debits_pending, l.credits_pending
  from accounts a join ledger_accounts l on l.id = a.id`;

export async function insertAccount(
  q: Queryable,
  row: {
    id: string;
    customerId: string;
    accountNumber: string;
    type: string;
    currency: string;
    interestRate: string;
    nickname: string | null;
  },
): Promise<void> {
  await q.query(
    `insert into accounts (id, customer_id, account_number, type, currency, interest_rate, nickname)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [row.id, row.customerId, row.accountNumber, row.type, row.currency, row.interestRate, row.nickname],
  );
}

export async function selectById(
  q: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<AccountRow | undefined> {
  const { rows } = await q.query<AccountRow>(
    named(`${select} where a.id = $1${opts.forUpdate ? ' for update of l' : ''}`, [id]),
  );
  return rows[0];
}

export async function selectByIds(q: Queryable, ids: string[]): Promise<Map<string, AccountRow>> {
  const { rows } = await q.query<AccountRow>(
    named(`${select} where a.id = any($1::uuid[])`, [uuidArray(ids)]),
  );
  return new Map(rows.map((r) => [r.id, r]));
}

export async function selectByNumber(q: Queryable, accountNumber: string): Promise<AccountRow | undefined> {
  const { rows } = await q.query<AccountRow>(`${select} where a.account_number = $1`, [accountNumber]);
  return rows[0];
}

export async function selectByCustomer(q: Queryable, customerId: string): Promise<AccountRow[]> {
  const { rows } = await q.query<AccountRow>(
    `${select} where a.customer_id = $1 order by a.opened_at, a.id`,
    [customerId],
  );
  return rows;
}

export async function markClosed(q: Queryable, id: string): Promise<void> {
  await q.query('update accounts set closed_at = now() where id = $1', [id]);
}

export async function selectCurrencyExponent(q: Queryable, code: string): Promise<number | undefined> {
  const { rows } = await q.query<{ exponent: number }>('select exponent from currencies where code = $1', [
    code,
  ]);
  return rows[0]?.exponent;
}
