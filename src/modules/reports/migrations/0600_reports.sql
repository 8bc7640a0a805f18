-- Saved reports (R7.4): every report generated through the API is kept with the parameters it
-- was asked with and the result it gave, so its owner can list it and fetch it again. A report
-- belongs to the user who generated it; nobody else sees it (another user's is 404).
create table saved_reports (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('account', 'transactions', 'system')),
  owner_user_id uuid not null references users (id),
  parameters jsonb not null,
  result jsonb not null,
  created_at timestamptz not null default now()
);
-- The owner's list, newest first, with a stable (created_at, id) cursor.
create index saved_reports_owner_idx on saved_reports (owner_user_id, created_at desc, id desc);

-- The system report's transaction volumes per day and type: one range scan over the period,
-- answered from the index alone (index-only scan) once the table is vacuumed.
create index transactions_created_idx on transactions (created_at) include (status, type, currency, amount);
