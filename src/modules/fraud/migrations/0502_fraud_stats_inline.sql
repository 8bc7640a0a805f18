-- An account's statistics row stays whole and uncompressed. With full windows (64 recent times,
-- 100 amounts and their times, 16 night times) the row is about 2.4 KiB, past the 2 KiB at which
-- PostgreSQL starts compressing a row's largest values: then every screening of a busy account
-- compressed its arrays on write and decompressed them on read. A row of at most about 2.5 KiB
-- fits the page comfortably (three to a page instead of four). Measured on 2,000 full rows, one
-- update of each (the window shifted by one): 420–535 ms compressed against 241–307 ms inline
-- (docs/benchmarks.md, tenth round). Rows already compressed are rewritten whole by their next
-- update, which stores them inline.
alter table fraud_account_stats set (toast_tuple_target = 8160);
