-- The entries check looked each transfer up twice per entry pair: once per transfer (two
-- entries, netting to zero, of a posted transfer) and once per entry (the right account and
-- amount). It now looks each transfer up once and checks the pair against it: two entries that
-- net to zero are one debit and one credit of the same amount (amounts are never zero), so the
-- transfer must be posted, debit the account of the negative entry, credit the account of the
-- positive one, and move exactly that amount. The same rows are refused as before, with the
-- same messages; a batch of 250 transfers makes 250 lookups here instead of 750. The chain check
-- is unchanged.
create or replace function ledger_entries_inserted() returns trigger language plpgsql
set enable_seqscan = off as $$
declare
  bad record;
begin
  select c.transfer_id, c.balanced into bad
  from (
    select g.*, (g.n = 2 and g.total = 0 and coalesce((g.t).phase in ('single', 'post_pending'), false)) as balanced
    from (
      select p.*, (select tr from ledger_transfers tr where tr.id = p.transfer_id) as t
      from (select transfer_id, count(*) as n, sum(amount) as total, max(amount) as credited,
                   (array_agg(account_id) filter (where amount < 0))[1] as debited_account,
                   (array_agg(account_id) filter (where amount > 0))[1] as credited_account
            from new_rows group by transfer_id) p
      offset 0 -- one lookup per transfer, however often the row's fields are read below
    ) g
  ) c
  where not c.balanced
     or (c.t).debit_account_id <> c.debited_account
     or (c.t).credit_account_id <> c.credited_account
     or (c.t).amount <> c.credited
  limit 1;
  if found then
    if bad.balanced then
      raise exception 'ledger: an entry of transfer % does not match its transfer', bad.transfer_id
        using errcode = '23514';
    end if;
    raise exception 'ledger: entries of transfer % do not balance', bad.transfer_id using errcode = '23514';
  end if;

  select o.id into bad from (
    select e.*, lag(e.balance_after) over w as prev_after, row_number() over w as rn
    from new_rows e window w as (partition by e.account_id order by e.id)
  ) o
  where (o.rn > 1 and o.balance_after <> o.prev_after + o.amount)
     or (o.rn = 1 and o.balance_after - o.amount <> coalesce(
          (select p.balance_after from ledger_entries p
           where p.account_id = o.account_id and (p.created_at, p.id) < (o.created_at, o.id)
           order by p.created_at desc, p.id desc limit 1), 0))
  limit 1;
  if found then
    raise exception 'ledger: entry % breaks its account''s balance chain', bad.id using errcode = '23514';
  end if;
  return null;
end $$;
