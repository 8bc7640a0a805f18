-- The invariant triggers look up each written row's transfer, entries and accounts with
-- correlated subqueries, meant as one index probe each. PL/pgSQL caches the plans of those
-- queries per connection, and the planner chooses from the statistics it has at that moment: in
-- `npm run bench` one connection's cached plan scanned the whole of ledger_entries once per
-- transfer (auto_explain: 500 scans of 14,500 rows for one batch of 250, 0.4 s). Turning
-- sequential scans off inside these functions makes every such lookup an index probe whatever
-- the statistics say; the scans of the statement's own rows (transition tables) have no
-- alternative and are unaffected.
alter function ledger_accounts_inserted() set enable_seqscan = off;
alter function ledger_accounts_updated() set enable_seqscan = off;
alter function ledger_transfers_inserted() set enable_seqscan = off;
alter function ledger_entries_inserted() set enable_seqscan = off;
