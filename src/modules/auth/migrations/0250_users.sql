-- Logins (R1.1–R1.5). A customer's login points at its customer record; staff logins have none.
-- Passwords are argon2id PHC strings; the TOTP secret is encrypted like other secrets at rest
-- (AES-256-GCM, key id beside it). Failed logins are kept for the lockout window.
create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null check (length(email) between 3 and 254),
  password_hash text not null check (password_hash like '$argon2id$%'),
  role text not null check (role in ('customer', 'teller', 'analyst', 'auditor', 'admin')),
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'DISABLED')),
  customer_id uuid unique references customers (id),
  totp_ciphertext bytea,
  totp_key_id text,
  totp_enabled boolean not null default false,
  totp_pending_ciphertext bytea,
  totp_pending_key_id text,
  totp_last_step bigint,
  locked_until timestamptz,
  last_login_at timestamptz,
  password_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((role = 'customer') = (customer_id is not null)),
  check ((totp_ciphertext is null) = (totp_key_id is null)),
  check ((totp_pending_ciphertext is null) = (totp_pending_key_id is null)),
  check (not totp_enabled or totp_ciphertext is not null)
);
create unique index users_email_key on users (lower(email));
create index users_role_idx on users (role, created_at);

create table login_failures (
  user_id uuid not null references users (id),
  failed_at timestamptz not null default now()
);
create index login_failures_user_idx on login_failures (user_id, failed_at);
