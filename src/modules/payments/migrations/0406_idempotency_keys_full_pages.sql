-- Migration 0401 left half of every page of idempotency_keys free, for the second write of a key
-- (claimed without a reply, then given it) to be a HOT update. Since migration 0405 a key's row is
-- written once, with its reply, and never updated: the free half was only ever empty, so the
-- table and the pages it keeps in memory were twice what they need to be (measured: 6 keys with a
-- transfer's reply per 8 KiB page, against 13). Back to PostgreSQL's default, full pages. Pages
-- written before are filled by later keys once vacuum has recorded their free space.
alter table idempotency_keys reset (fillfactor);
