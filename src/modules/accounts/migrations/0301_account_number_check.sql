-- The account number's format without a bounded repetition ({12}), which PostgreSQL's
-- regular-expression engine runs as that many copies of its states (ledger migration 0114 has
-- the rule; test/schema.test.ts checks it).
alter table accounts
  drop constraint accounts_account_number_check,
  add constraint accounts_account_number_check check (length(account_number) = 12 and account_number !~ '[^0-9]');
