-- Fraud screening (R5): per-account statistics kept incrementally in the posting transaction,
-- the payees each account has paid, and the alerts analysts work. See docs/fraud.md.

-- One row per account. Everything a rule needs is in this row (plus the payee rows a movement
-- names), so screening a batch costs one indexed read whatever the account's history. Rings are
-- arrays, oldest first, bounded in size; times in them are epoch milliseconds (bigint), which
-- are cheaper to read and write in bulk than timestamptz arrays.
create table fraud_account_stats (
  account_id uuid primary key references accounts (id),
  -- Outgoing movements screened and accepted (posted or held), and of those the posted ones.
  screened_count bigint not null default 0 check (screened_count >= 0),
  posted_count bigint not null default 0 check (posted_count >= 0 and posted_count <= screened_count),
  -- Velocity: times of the last (at most 64) accepted outgoing movements.
  recent_at bigint[] not null default '{}' check (cardinality(recent_at) <= 64),
  -- The amount window: exactly the last (at most 100) posted outgoing amounts of the last 90
  -- days, with their times, and Welford's running count, mean and M2 of those amounts.
  amounts bigint[] not null default '{}' check (cardinality(amounts) <= 100),
  amount_at bigint[] not null default '{}',
  amount_n integer not null default 0,
  amount_mean double precision not null default 0,
  amount_m2 double precision not null default 0 check (amount_m2 >= 0),
  -- Unusual hour: times of the last (at most 16) posted movements in the customer's local night.
  night_at bigint[] not null default '{}' check (cardinality(night_at) <= 16),
  -- Impossible travel: the previous posted movement that came with an IP or location.
  last_seen_at timestamptz,
  last_ip text,
  last_location text,
  -- Daily limit: outgoing (posted or held) on the customer's local date `day`.
  day date,
  day_total bigint not null default 0 check (day_total >= 0),
  updated_at timestamptz not null default now(),
  check (cardinality(amount_at) = cardinality(amounts) and amount_n = cardinality(amounts))
);

-- Every account has its row from the start (so screening reads, never inserts, on the money
-- path): created with the account, in the same statement.
create function fraud_stats_for_new_accounts() returns trigger language plpgsql as $$
begin
  insert into fraud_account_stats (account_id) select id from new_accounts on conflict do nothing;
  return null;
end $$;
create trigger accounts_fraud_stats after insert on accounts
  referencing new table as new_accounts for each statement execute function fraud_stats_for_new_accounts();
insert into fraud_account_stats (account_id) select id from accounts on conflict do nothing;

-- Payees an account has paid (posted movements only): "account:<uuid>" or "external:<bank>:<number>".
create table fraud_known_payees (
  account_id uuid not null references accounts (id),
  payee text not null check (length(payee) between 1 and 200),
  first_paid_at timestamptz not null,
  last_paid_at timestamptz not null,
  payments bigint not null default 1 check (payments > 0),
  primary key (account_id, payee)
);

-- Alerts: one per movement scored FLAG_FOR_REVIEW or above. A BLOCK_* movement is held (a
-- pending ledger transfer, transaction PENDING_REVIEW) until an analyst releases or rejects it,
-- or its hold expires; `hold` records which. A flagged movement posted at once: no hold.
create table fraud_alerts (
  id uuid primary key,
  transaction_id uuid not null unique references transactions (id),
  account_id uuid not null references accounts (id),
  customer_id uuid not null references customers (id),
  status text not null default 'OPEN' check (status in ('OPEN', 'INVESTIGATING', 'RESOLVED', 'FALSE_POSITIVE')),
  score integer not null check (score between 0 and 100),
  recommendation text not null check (recommendation in ('FLAG_FOR_REVIEW', 'BLOCK_PENDING_REVIEW', 'BLOCK_AND_ALERT')),
  -- Every rule that fired: [{rule, score, reason}].
  reasons jsonb not null check (jsonb_typeof(reasons) = 'array'),
  amount bigint not null check (amount > 0),
  currency char(3) not null references currencies (code),
  hold text check (hold in ('HELD', 'RELEASED', 'REJECTED', 'EXPIRED')),
  -- The analyst who last acted on the alert, and every note: [{at, by, text}].
  analyst_id uuid,
  notes jsonb not null default '[]' check (jsonb_typeof(notes) = 'array'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  hold_resolved_at timestamptz,
  closed_at timestamptz,
  check ((hold is null) = (recommendation = 'FLAG_FOR_REVIEW')),
  check ((hold in ('RELEASED', 'REJECTED', 'EXPIRED')) = (hold_resolved_at is not null)),
  check ((status in ('RESOLVED', 'FALSE_POSITIVE')) = (closed_at is not null)),
  -- An alert is not closed while its movement is still held: release or reject it first.
  check (not (status in ('RESOLVED', 'FALSE_POSITIVE') and hold = 'HELD'))
);
create index fraud_alerts_queue_idx on fraud_alerts (created_at desc, id desc);
create index fraud_alerts_status_idx on fraud_alerts (status, created_at desc, id desc);
create index fraud_alerts_held_idx on fraud_alerts (created_at) where hold = 'HELD';
create index fraud_alerts_account_idx on fraud_alerts (account_id, created_at desc);

-- The risk a screened movement was given, shown with the transaction: {score, recommendation, reasons}.
alter table transactions add column risk jsonb check (risk is null or jsonb_typeof(risk) = 'object');

-- The customer's IANA time zone for the unusual-hour rule and the daily limit's day (UTC when
-- null and the address's country has no single zone).
alter table customers add column if not exists timezone text check (timezone is null or length(timezone) between 1 and 64);
