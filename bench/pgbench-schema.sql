-- The pgbench baseline's own tables: a plain double-entry ledger with one row per account, a
-- transfer row per transfer and two entry rows (with balance after) per transfer. They live in
-- a database of their own (bench/run.ts creates bench_pgbench_<pid>), never beside corebank's.
--
-- The number of accounts and their opening balance come from two custom settings, so the file
-- also works on its own:
--   PGOPTIONS='-c bench.accounts=10000 -c bench.opening_balance=1000000000' psql -f bench/pgbench-schema.sql <db>
drop table if exists bench_entries, bench_transfers, bench_accounts;

create table bench_accounts (
  id integer primary key,
  balance bigint not null check (balance >= 0)
);

create table bench_transfers (
  id uuid primary key,
  debit_account_id integer not null references bench_accounts (id),
  credit_account_id integer not null references bench_accounts (id),
  amount bigint not null check (amount > 0),
  code text not null,
  created_at timestamptz not null default now(),
  check (debit_account_id <> credit_account_id)
);

create table bench_entries (
  id bigint generated always as identity primary key,
  account_id integer not null references bench_accounts (id),
  transfer_id uuid not null references bench_transfers (id),
  amount bigint not null,
  balance_after bigint not null,
  created_at timestamptz not null default now()
);
create index bench_entries_account_idx on bench_entries (account_id, id);
create index bench_entries_transfer_idx on bench_entries (transfer_id);

insert into bench_accounts (id, balance)
select g, coalesce(nullif(current_setting('bench.opening_balance', true), ''), '1000000000')::bigint
from generate_series(1, coalesce(nullif(current_setting('bench.accounts', true), ''), '10000')::integer) g;

analyze bench_accounts;
