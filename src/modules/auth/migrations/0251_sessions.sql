-- Server-side sessions (R1.2). One session per login; its refresh tokens form one family:
-- each refresh retires the presented token and issues the next. Presenting a retired token
-- again revokes the whole session. Only SHA-256 hashes of refresh tokens are stored.
create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id),
  ip text check (length(ip) <= 64),
  user_agent text check (length(user_agent) <= 512),
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text
);
create index sessions_user_active_idx on sessions (user_id) where revoked_at is null;

create table refresh_tokens (
  token_hash bytea primary key check (length(token_hash) = 32),
  session_id uuid not null references sessions (id),
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index refresh_tokens_session_idx on refresh_tokens (session_id);
