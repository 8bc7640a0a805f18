-- The statement that opens fraud screening for a batch (src/modules/fraud/repo.ts, lockStates):
-- it locks the statistics rows of the batch's accounts in id order and returns their states, the
-- owners' time zone and country, which of the named payees each account has paid before, and the
-- database's clock read after the locks.
--
-- As a plain statement it had to be planned on every call (about a tenth of PostgreSQL's CPU in a
-- batch, docs/benchmarks.md, eighth round): a prepared one settles on a generic plan after five
-- calls, and one planned while fraud_known_payees was young probed it with a sequential scan,
-- then kept scanning every payee ever paid, once per probe, as the table grew. Inside a function
-- the plan is made once per session (`force_generic_plan`: a plan for any arrays, which custom
-- plans, made for each call's arrays, would only beat by their planning time), and
-- `enable_seqscan = off` makes that plan probe the indexes: all it reads are rows by primary key.
create function fraud_lock_states(p_accounts uuid[], p_payee_accounts uuid[], p_payees text[])
returns table (
  account_id uuid,
  screened_count bigint,
  posted_count bigint,
  recent_at jsonb,
  amounts jsonb,
  amount_at jsonb,
  amount_n integer,
  amount_mean double precision,
  amount_m2 double precision,
  night_at jsonb,
  last_seen_at timestamptz,
  last_ip text,
  last_location text,
  day text,
  day_total bigint,
  timezone text,
  country text,
  known text[],
  now_ms double precision
)
language plpgsql volatile
set enable_seqscan = off
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  -- The rings go out as JSON numbers, which pg parses far faster than array literals. Known
  -- payees are one primary-key probe per (account, payee) named; each owner one probe per
  -- account (a lateral subquery kept apart by `offset 0`), never a join planned as a hash of a
  -- whole table.
  return query
    with known as (
      select v.account_id, array_agg(v.payee) as payees
        from unnest(p_payee_accounts, p_payees) as v (account_id, payee)
       where (select true from fraud_known_payees k where k.account_id = v.account_id and k.payee = v.payee)
       group by v.account_id)
    select s.account_id, s.screened_count, s.posted_count, to_jsonb(s.recent_at), to_jsonb(s.amounts),
           to_jsonb(s.amount_at), s.amount_n, s.amount_mean, s.amount_m2, to_jsonb(s.night_at), s.last_seen_at,
           s.last_ip, s.last_location, s.day::text, s.day_total, owner.timezone, owner.country,
           coalesce(known.payees, '{}'), (extract(epoch from clock_timestamp()) * 1000)::float8
      from fraud_account_stats s
      cross join lateral (
        select c.timezone, c.address ->> 'country' as country
          from accounts a join customers c on c.id = a.customer_id
         where a.id = s.account_id
        offset 0) owner
      left join known on known.account_id = s.account_id
     where s.account_id = any(p_accounts)
     order by s.account_id
       for update of s;
end $$;
