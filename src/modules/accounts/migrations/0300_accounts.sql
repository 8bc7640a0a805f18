-- Bank accounts: the product a customer sees. Each is one ledger account (same id), which
-- holds its status and balances, so there is one source of truth for both; this table holds
-- what only the product knows: number, type, owner, rate, nickname, dates.
create table accounts (
  id uuid primary key references ledger_accounts (id),
  customer_id uuid not null references customers (id),
  account_number text not null unique check (account_number ~ '^[0-9]{12}$'),
  type text not null check (type in ('CHECKING', 'SAVINGS', 'CREDIT', 'INVESTMENT')),
  currency char(3) not null references currencies (code),
  -- Annual rate in percent: paid on SAVINGS, charged on a used CREDIT line.
  interest_rate numeric(7, 4) not null default 0 check (interest_rate >= 0 and interest_rate < 100),
  nickname text check (length(nickname) between 1 and 60),
  opened_at timestamptz not null default now(),
  closed_at timestamptz
);
create index accounts_customer_idx on accounts (customer_id, opened_at);
