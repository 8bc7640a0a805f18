-- The format checks say the same thing without a bounded repetition such as {0,31}.
-- PostgreSQL's regular-expression engine expands a bound into that many copies of its states
-- and runs them on every row written: `code ~ '^[A-Z][A-Z0-9_]{0,31}$'` cost about 1.3 µs per
-- transfer, the form below about 0.2 µs. A length test does the counting instead.
-- (test/schema.test.ts checks every such constraint against its format, and that no check
-- constraint uses a bounded repetition.)
alter table currencies
  drop constraint currencies_code_check,
  add constraint currencies_code_check check (length(code) = 3 and code !~ '[^A-Z]');

alter table ledger_transfers
  drop constraint ledger_transfers_code_check,
  add constraint ledger_transfers_code_check check (length(code) <= 32 and code ~ '^[A-Z][A-Z0-9_]*$');
