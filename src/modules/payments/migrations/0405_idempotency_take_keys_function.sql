-- How a movement's transaction takes its idempotency keys (src/modules/payments/repo.ts,
-- claimKeys): one advisory lock per key, in key order, held until commit, then the rows of the
-- keys used before. The key's row itself is written once, with its reply, at the end of the
-- transaction (storeResponses). docs/payments.md, "Idempotency", has the why.
--
-- A function, so that the read is a statement of its own with a snapshot taken after the locks
-- (each statement of a volatile function gets a fresh one under read committed: it sees what a
-- transaction it waited for committed), yet one call for the client; and so that its plan is
-- made once per session and probes the primary key (as fraud_lock_states, migration 0501).
create function idempotency_take_keys(p_users uuid[], p_keys text[])
returns table (user_id uuid, key text, request_hash text, response_status smallint, response_body json)
language plpgsql volatile
set enable_seqscan = off
set plan_cache_mode = force_generic_plan
as $$
begin
  -- A 64-bit hash of user and key; a collision only makes one transaction wait for another.
  perform pg_advisory_xact_lock(w.lock_key)
     from (select distinct hashtextextended(v.u::text || v.k, 0) as lock_key
             from unnest(p_users, p_keys) as v (u, k)
            order by 1) as w;
  -- One probe of the primary key per key. `offset 0` keeps the lateral subquery from being
  -- flattened into a join: a plan made while the table was young (all the planner knew: a page
  -- or two) walked the whole index once per call and compared every key with every row.
  return query
    select i.user_id, i.key, i.request_hash, i.response_status, i.response_body
      from unnest(p_users, p_keys) as v (u, k)
     cross join lateral (select * from idempotency_keys x where x.user_id = v.u and x.key = v.k offset 0) as i;
end $$;
