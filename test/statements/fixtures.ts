// Fixtures for statement and report tests: customers and accounts through the accounts
// service, and ledger history at chosen times. The ledger stamps what it posts with the
// database clock, so a history spread over days and months is written here in one set-based
// statement per batch — transfers, their two entries with the running balances, the new
// account totals and the matching `transactions` rows — which the ledger's own triggers check
// exactly as they check the engine's writes (entries balance, chains hold, totals match).
import { randomUUID } from 'node:crypto';
import type { Pool, Queryable } from '../../src/platform/db/pool.js';
import { tx } from '../../src/platform/db/tx.js';
import { openAccount, type Account, type AccountType } from '../../src/modules/accounts/service.js';
import { internalAccountId } from '../../src/modules/ledger/service.js';

export async function createCustomer(q: Queryable, fullName = 'Ada Lovelace'): Promise<string> {
  const { rows } = await q.query<{ id: string }>(
    `insert into customers (full_name, email, address) values ($1, $2, $3) returning id`,
    [
      fullName,
      `${randomUUID()}@example.test`,
      JSON.stringify({
        line1: '12 St James’s Square',
        city: 'London',
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      }),
    ],
  );
  return rows[0]!.id;
}

export async function createAccount(
  pool: Pool,
  customerId: string,
  opts: { currency?: string; type?: AccountType } = {},
): Promise<Account> {
  return tx(pool, (client) =>
    openAccount(client, { customerId, type: opts.type ?? 'CHECKING', currency: opts.currency ?? 'USD' }),
  );
}

export const vaultOf = (pool: Pool, currency = 'USD') => internalAccountId(pool, currency, 'VAULT');

export interface HistoryRow {
  debit: string;
  credit: string;
  amount: bigint;
  /** ISO 8601 instant; rows must come in time order, after anything already on the accounts. */
  at: string;
  code: string;
  /** The customer-facing transaction to record with it (COMPLETED). */
  tx?: {
    type: string;
    description?: string | null;
    category?: string | null;
    from?: string | null;
    to?: string | null;
  };
}

/**
 * Writes transfers in one statement. `spec` is a query with the columns
 * (i bigint, debit uuid, credit uuid, amount int8, at timestamptz, code text, tx_type text,
 * tx_desc text, tx_cat text, tx_from uuid, tx_to uuid), in time order by i.
 */
export async function writeHistorySql(q: Queryable, spec: string, params: unknown[]): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `with t as materialized (select s.*, gen_random_uuid() as id from (${spec}) s),
     e as materialized (
       select i, id as transfer_id, credit as account_id, amount, at, 1 as side from t
       union all
       select i, id, debit, -amount, at, 0 from t),
     eb as materialized (
       select e.*, (a.credits_posted - a.debits_posted)
                   + sum(e.amount) over (partition by e.account_id order by e.i, e.side) as balance_after
       from e join ledger_accounts a on a.id = e.account_id),
     ins_t as (
       insert into ledger_transfers (id, phase, debit_account_id, credit_account_id, amount, currency, code, created_at)
       select t.id, 'single', t.debit, t.credit, t.amount, a.currency, t.code, t.at
       from t join ledger_accounts a on a.id = t.debit order by t.i),
     ins_e as (
       insert into ledger_entries (account_id, transfer_id, amount, balance_after, created_at)
       select account_id, transfer_id, amount, balance_after, at from eb order by i, side),
     upd as (
       update ledger_accounts a
       set debits_posted = a.debits_posted + d.debits, credits_posted = a.credits_posted + d.credits
       from (select account_id, coalesce(sum(-amount) filter (where amount < 0), 0) as debits,
                    coalesce(sum(amount) filter (where amount > 0), 0) as credits
             from e group by account_id) d
       where a.id = d.account_id),
     ins_tx as (
       insert into transactions (id, reference, type, status, amount, currency, from_account_id, to_account_id,
                                 description, category, transfer_id, created_at, completed_at, updated_at)
       select gen_random_uuid(), 'FX' || replace(t.id::text, '-', ''), t.tx_type, 'COMPLETED', t.amount, a.currency,
              t.tx_from, t.tx_to, t.tx_desc, t.tx_cat, t.id, t.at, t.at, t.at
       from t join ledger_accounts a on a.id = t.debit
       where t.tx_type is not null)
     select count(*)::int as n from t`,
    params,
  );
  return rows[0]!.n;
}

export async function writeHistory(pool: Pool, history: HistoryRow[]): Promise<void> {
  if (history.length === 0) return;
  await tx(pool, (client) =>
    writeHistorySql(
      client,
      `select v.i, v.debit, v.credit, v.amount, v.at, v.code, v.tx_type, v.tx_desc, v.tx_cat, v.tx_from, v.tx_to
       from unnest($1::uuid[], $2::uuid[], $3::int8[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::uuid[], $10::uuid[])
         with ordinality as v (debit, credit, amount, at, code, tx_type, tx_desc, tx_cat, tx_from, tx_to, i)`,
      [
        history.map((h) => h.debit),
        history.map((h) => h.credit),
        history.map((h) => h.amount.toString()),
        history.map((h) => h.at),
        history.map((h) => h.code),
        history.map((h) => h.tx?.type ?? null),
        history.map((h) => h.tx?.description ?? null),
        history.map((h) => h.tx?.category ?? null),
        history.map((h) => h.tx?.from ?? null),
        history.map((h) => h.tx?.to ?? null),
      ],
    ),
  );
}

/** Deposit, withdrawal and transfer rows in the shape the payments module records them. */
export const deposit = (
  vault: string,
  to: string,
  amount: bigint,
  at: string,
  description: string | null = null,
): HistoryRow => ({
  debit: vault,
  credit: to,
  amount,
  at,
  code: 'DEPOSIT',
  tx: { type: 'DEPOSIT', description, to },
});

export const withdrawal = (
  from: string,
  vault: string,
  amount: bigint,
  at: string,
  category: string | null = null,
  description: string | null = null,
): HistoryRow => ({
  debit: from,
  credit: vault,
  amount,
  at,
  code: 'WITHDRAWAL',
  tx: { type: 'WITHDRAWAL', description, category, from },
});

export const transfer = (
  from: string,
  to: string,
  amount: bigint,
  at: string,
  category: string | null = null,
  description: string | null = null,
): HistoryRow => ({
  debit: from,
  credit: to,
  amount,
  at,
  code: 'TRANSFER',
  tx: { type: 'TRANSFER', description, category, from, to },
});
