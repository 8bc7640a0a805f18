-- The chain check once per INSERT statement instead of once per row. A row-level trigger locked
-- and rewrote the single chain-head row for every audit row (two statements per row, and a new
-- version of the head row each time); a movement batch writes dozens of audit rows in one
-- statement. The statement-level trigger sees the statement's rows as a transition table and
-- checks exactly what the row trigger did — the rows, in seq order, extend the head one by one:
-- seq = previous seq + 1 and prev_hash = previous hash — then moves the head once. A statement
-- whose rows do not extend the chain is refused as a whole.
drop trigger audit_log_append on audit_log;
drop function audit_extend_chain();

create function audit_extend_chain() returns trigger language plpgsql as $$
declare
  head audit_chain_head%rowtype;
  bad bigint;
  last_row record;
begin
  select * into head from audit_chain_head where singleton for update;
  select n.seq into bad
    from (select seq, prev_hash,
                 coalesce(lag(seq) over w, head.seq) as prev_seq,
                 coalesce(lag(hash) over w, head.hash) as prev_row_hash
            from new_rows window w as (order by seq)) n
   where n.seq <> n.prev_seq + 1 or n.prev_hash <> n.prev_row_hash
   order by n.seq
   limit 1;
  if found then
    raise exception 'audit row % does not extend the chain head %', bad, head.seq
      using errcode = '23514';
  end if;
  select seq, hash into last_row from new_rows order by seq desc limit 1;
  if found then
    update audit_chain_head set seq = last_row.seq, hash = last_row.hash where singleton;
  end if;
  return null;
end $$;

create trigger audit_log_append after insert on audit_log
  referencing new table as new_rows for each statement execute function audit_extend_chain();
