-- Transactions: the customer-facing record of a money movement (R4.6), carried out by one or
-- more ledger transfers. The ledger is the truth about money; this is the truth about what
-- was asked, by whom, through which channel, and what the customer calls it. Its status moves
-- (PENDING → COMPLETED | FAILED; COMPLETED → REVERSED) while the ledger only ever appends.
create table transactions (
  id uuid primary key,
  reference text not null unique,
  type text not null check (type in ('DEPOSIT', 'WITHDRAWAL', 'TRANSFER', 'INTEREST', 'FEE', 'REVERSAL',
                                     'EXTERNAL_OUT', 'EXTERNAL_IN')),
  status text not null check (status in ('PENDING', 'PENDING_REVIEW', 'COMPLETED', 'FAILED', 'REVERSED')),
  amount bigint not null check (amount > 0),
  currency char(3) not null references currencies (code),
  from_account_id uuid references accounts (id),
  to_account_id uuid references accounts (id),
  -- The other bank's side of an external transfer: {bankCode, accountNumber, name}.
  counterparty jsonb,
  description text check (length(description) <= 280),
  category text check (category ~ '^[a-z][a-z0-9_]{0,39}$'),
  tags text[] not null default '{}' check (cardinality(tags) <= 10),
  -- Where the request came from: {ip, userAgent, location?, device?}.
  channel jsonb not null default '{}',
  initiated_by uuid,
  -- The ledger transfer that moved (or holds) the money, and the one that settled a hold.
  transfer_id uuid not null unique,
  settlement_transfer_id uuid unique,
  reverses_transaction_id uuid unique references transactions (id),
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  updated_at timestamptz not null default now(),
  check (from_account_id is not null or to_account_id is not null),
  check ((status in ('COMPLETED', 'REVERSED', 'FAILED')) = (completed_at is not null))
);
-- History per account, newest first, with a stable (created_at, id) cursor.
create index transactions_from_idx on transactions (from_account_id, created_at desc, id desc) where from_account_id is not null;
create index transactions_to_idx on transactions (to_account_id, created_at desc, id desc) where to_account_id is not null;
create index transactions_open_idx on transactions (status, created_at) where status in ('PENDING', 'PENDING_REVIEW');

-- Idempotency keys, scoped per user: the stored response of the first successful request is
-- replayed for a retry with the same body; another body with the same key is refused.
create table idempotency_keys (
  user_id uuid not null,
  key text not null check (length(key) between 1 and 100),
  request_hash text not null,
  response_status smallint,
  response_body jsonb,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);
create index idempotency_keys_created_idx on idempotency_keys (created_at);

-- Transactional outbox: events written in the same transaction as the change they announce,
-- delivered later by a worker (notifications, webhooks, settlement).
create table outbox_events (
  id bigint generated always as identity primary key,
  topic text not null,
  aggregate_id uuid not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  attempts integer not null default 0
);
create index outbox_events_undelivered_idx on outbox_events (id) where delivered_at is null;
