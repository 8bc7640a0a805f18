-- The audit trail (R8.1): append-only and hash-chained. Row n stores the hash of row n-1
-- (prev_hash) and its own hash, a SHA-256 over its content and prev_hash computed by the
-- application (src/modules/audit/chain.ts). The single-row chain head is locked by every
-- writer, so concurrent transactions append one after another and the chain cannot fork; the
-- insert trigger refuses a row that does not extend the head. UPDATE, DELETE and TRUNCATE
-- are refused.
create table audit_log (
  seq bigint primary key check (seq > 0),
  id uuid not null unique,
  created_at timestamptz not null,
  actor_id uuid,
  actor_role text,
  ip text,
  user_agent text,
  request_id text,
  entity_type text not null,
  entity_id text,
  action text not null,
  before jsonb,
  after jsonb,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null unique check (hash ~ '^[0-9a-f]{64}$')
);
create index audit_log_entity_idx on audit_log (entity_type, entity_id, seq);
create index audit_log_actor_idx on audit_log (actor_id, seq);
create index audit_log_created_idx on audit_log (created_at, seq);

create table audit_chain_head (
  singleton boolean primary key default true check (singleton),
  seq bigint not null,
  hash text not null
);
insert into audit_chain_head (seq, hash) values (0, repeat('0', 64));

create function audit_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'the audit trail is append-only: % on % is refused', tg_op, tg_table_name
    using errcode = '42501';
end $$;

create function audit_extend_chain() returns trigger language plpgsql as $$
declare
  head audit_chain_head%rowtype;
begin
  select * into head from audit_chain_head where singleton for update;
  if new.seq <> head.seq + 1 or new.prev_hash <> head.hash then
    raise exception 'audit row % does not extend the chain head %', new.seq, head.seq
      using errcode = '23514';
  end if;
  update audit_chain_head set seq = new.seq, hash = new.hash where singleton;
  return new;
end $$;

create trigger audit_log_append before insert on audit_log
  for each row execute function audit_extend_chain();
create trigger audit_log_no_change before update or delete on audit_log
  for each row execute function audit_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_refuse_change();
create trigger audit_head_no_delete before delete on audit_chain_head
  for each row execute function audit_refuse_change();
create trigger audit_head_no_truncate before truncate on audit_chain_head
  for each statement execute function audit_refuse_change();
