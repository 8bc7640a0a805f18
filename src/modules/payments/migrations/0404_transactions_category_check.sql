-- The category's format without a bounded repetition ({0,39}), which PostgreSQL's
-- regular-expression engine runs as that many copies of its states on every row (ledger
-- migration 0114 has the rule; test/schema.test.ts checks it).
alter table transactions
  drop constraint transactions_category_check,
  add constraint transactions_category_check check (length(category) <= 40 and category ~ '^[a-z][a-z0-9_]*$');
