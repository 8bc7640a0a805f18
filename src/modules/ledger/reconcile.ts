// Reconciliation (R6.3), run by `corebank verify`: proves from the stored rows alone that every
// account's totals equal the sum of its entries, every posted transfer has exactly one debit
// and one credit entry of its amount, each currency sums to zero, open holds match the pending
// totals, and no hold has outlived its timeout.
import type { Queryable } from '../../platform/db/pool.js';

export interface ReconcileReport {
  ok: boolean;
  accounts: number;
  transfers: number;
  entries: number;
  currencies: { currency: string; debits: string; credits: string }[];
  discrepancies: string[];
}

async function listOf(q: Queryable, sql: string, params: unknown[] = []): Promise<string[]> {
  const { rows } = await q.query<{ problem: string }>(sql, params);
  return rows.map((r) => r.problem);
}

export async function reconcile(
  q: Queryable,
  opts: { expiryGraceSeconds?: number } = {},
): Promise<ReconcileReport> {
  const discrepancies: string[] = [];
  discrepancies.push(
    ...(await listOf(
      q,
      `select format('account %s: totals (debits %s, credits %s) differ from its entries (debits %s, credits %s, last balance %s)',
                     a.id, a.debits_posted, a.credits_posted, coalesce(e.debits, 0), coalesce(e.credits, 0), e.last_balance) as problem
       from ledger_accounts a
       left join (select account_id, sum(-amount) filter (where amount < 0) as debits,
                         sum(amount) filter (where amount > 0) as credits,
                         (array_agg(balance_after order by created_at desc, id desc))[1] as last_balance
                  from ledger_entries group by account_id) e on e.account_id = a.id
       where a.debits_posted <> coalesce(e.debits, 0) or a.credits_posted <> coalesce(e.credits, 0)
          or a.credits_posted - a.debits_posted <> coalesce(e.last_balance, 0)
       limit 100`,
    )),
  );
  discrepancies.push(
    ...(await listOf(
      q,
      `select format('transfer %s (%s): %s entries summing to %s', t.id, t.phase, coalesce(e.n, 0), coalesce(e.total, 0)) as problem
       from ledger_transfers t
       left join (select transfer_id, count(*) as n, sum(amount) as total, min(abs(amount)) as low, max(abs(amount)) as high
                  from ledger_entries group by transfer_id) e on e.transfer_id = t.id
       where (t.phase in ('single', 'post_pending')
              and (e.n is distinct from 2 or e.total <> 0 or e.low <> t.amount or e.high <> t.amount))
          or (t.phase not in ('single', 'post_pending') and e.n is not null)
       limit 100`,
    )),
  );
  const { rows: currencies } = await q.query<{
    currency: string;
    debits: string;
    credits: string;
    dp: string;
    cp: string;
  }>(
    `select currency, sum(debits_posted)::text as debits, sum(credits_posted)::text as credits,
            sum(debits_pending)::text as dp, sum(credits_pending)::text as cp
     from ledger_accounts group by currency order by currency`,
  );
  for (const c of currencies) {
    if (c.debits !== c.credits)
      discrepancies.push(`${c.currency}: posted debits ${c.debits} <> credits ${c.credits}`);
    if (c.dp !== c.cp) discrepancies.push(`${c.currency}: pending debits ${c.dp} <> credits ${c.cp}`);
  }
  discrepancies.push(
    ...(await listOf(
      q,
      `select format('account %s: pending totals (debits %s, credits %s) differ from its open holds (%s, %s)',
                     a.id, a.debits_pending, a.credits_pending, coalesce(d.total, 0), coalesce(c.total, 0)) as problem
       from ledger_accounts a
       left join (select debit_account_id as id, sum(amount) as total from ledger_pending group by 1) d on d.id = a.id
       left join (select credit_account_id as id, sum(amount) as total from ledger_pending group by 1) c on c.id = a.id
       where a.debits_pending <> coalesce(d.total, 0) or a.credits_pending <> coalesce(c.total, 0)
       limit 100`,
    )),
  );
  discrepancies.push(
    ...(await listOf(
      q,
      `select format('open hold %s is not an unresolved pending transfer', p.transfer_id) as problem
       from ledger_pending p
       left join ledger_transfers t on t.id = p.transfer_id and t.phase = 'pending'
       where t.id is null or exists (select 1 from ledger_transfers r where r.pending_id = p.transfer_id)
       limit 100`,
    )),
  );
  discrepancies.push(
    ...(await listOf(
      q,
      `select format('pending transfer %s expired at %s and still holds funds', transfer_id, expires_at) as problem
       from ledger_pending where expires_at < now() - make_interval(secs => $1) limit 100`,
      [opts.expiryGraceSeconds ?? 60],
    )),
  );
  const { rows: counts } = await q.query<{ accounts: bigint; transfers: bigint; entries: bigint }>(
    `select (select count(*) from ledger_accounts) as accounts, (select count(*) from ledger_transfers) as transfers,
            (select count(*) from ledger_entries) as entries`,
  );
  const n = counts[0];
  return {
    ok: discrepancies.length === 0,
    accounts: Number(n?.accounts ?? 0n),
    transfers: Number(n?.transfers ?? 0n),
    entries: Number(n?.entries ?? 0n),
    currencies: currencies.map(({ currency, debits, credits }) => ({ currency, debits, credits })),
    discrepancies,
  };
}
