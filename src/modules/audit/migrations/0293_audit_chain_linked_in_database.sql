-- Hash format 2: the application hashes each row's content, the database links the chain.
--
-- Format 1 (rows written before this migration) hashes everything, prev_hash included, in the
-- application, so a writer had to lock the chain head, read it back, hash, and only then send
-- its insert: the head stayed locked across that round trip and every other writer waited.
-- Format 2 splits the hash in two:
--   content_hash = sha256 of the row's content without seq, created_at and prev_hash, computed
--                  by the application (src/modules/audit/chain.ts, auditContentHash), as before
--                  from the canonical JSON of before/after;
--   hash         = sha256('["v2","<seq>","<created_at>","<content_hash>","<prev_hash>"]'), the
--                  link, computed here by audit_append() while it holds the head, with
--                  created_at as an ISO string in UTC with milliseconds. That text is exactly
--                  JSON.stringify of the five strings, which is how the verifier recomputes it
--                  (auditLinkHash).
-- A format-2 row has a content_hash, a format-1 row none; the verifier checks each by its own
-- format, and the chain runs through both. The statement-level trigger of 0291 still refuses
-- rows that do not extend the head, whoever writes them.
alter table audit_log add column content_hash text check (content_hash ~ '^[0-9a-f]{64}$');

-- Appends rows in the order given, as one INSERT, and returns their seq, created_at and hashes.
-- Locks the chain head until the transaction ends: call it last in a transaction (and send it
-- with COMMIT when nothing after it needs its answer).
create function audit_append(
  ids uuid[], actor_ids uuid[], actor_roles text[], ips text[], user_agents text[], request_ids text[],
  entity_types text[], entity_ids text[], actions text[], documents jsonb, content_hashes text[]
) returns table (seq bigint, created_at timestamptz, prev_hash text, hash text)
language plpgsql as $$
#variable_conflict use_column
declare
  head audit_chain_head%rowtype;
  -- Milliseconds, so that the timestamp read back and the one hashed are the same text.
  at timestamptz := date_trunc('milliseconds', clock_timestamp());
  at_text text := to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  n int := coalesce(cardinality(ids), 0);
  seqs bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
  link text;
begin
  if n = 0 then
    return;
  end if;
  select * into head from audit_chain_head h where h.singleton for update;
  link := head.hash;
  for i in 1 .. n loop
    seqs[i] := head.seq + i;
    prevs[i] := link;
    link := encode(sha256(convert_to(
      format('["v2","%s","%s","%s","%s"]', head.seq + i, at_text, content_hashes[i], link), 'UTF8')), 'hex');
    hashes[i] := link;
  end loop;
  return query
    insert into audit_log as a (seq, id, created_at, actor_id, actor_role, ip, user_agent, request_id,
                                entity_type, entity_id, action, before, after, prev_hash, hash, content_hash)
    select u.seq, u.id, at, u.actor_id, u.actor_role, u.ip, u.user_agent, u.request_id, u.entity_type,
           u.entity_id, u.action, nullif(u.doc -> 'before', 'null'), nullif(u.doc -> 'after', 'null'),
           u.prev_hash, u.hash, u.content_hash
      from rows from (unnest(seqs, ids, actor_ids, actor_roles, ips, user_agents, request_ids, entity_types,
                             entity_ids, actions, prevs, hashes, content_hashes),
                      jsonb_array_elements(documents))
           with ordinality as u(seq, id, actor_id, actor_role, ip, user_agent, request_id, entity_type,
                                entity_id, action, prev_hash, hash, content_hash, doc, ord)
     order by u.ord
    returning a.seq, a.created_at, a.prev_hash, a.hash;
end $$;
-- As for the chain check (0292): the head is read by its primary key whatever the statistics say.
alter function audit_append(uuid[], uuid[], text[], text[], text[], text[], text[], text[], text[], jsonb, text[])
  set enable_seqscan = off;
