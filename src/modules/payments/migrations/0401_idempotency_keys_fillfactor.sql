-- A key is written twice: claimed (without a response) at the start of its movement's
-- transaction, then given its stored response before commit. With free space left on each page
-- the second write is a HOT update — no new index entries, no page-full split of the row away
-- from its index tuples. Half of each page stays free for it.
alter table idempotency_keys set (fillfactor = 50);
