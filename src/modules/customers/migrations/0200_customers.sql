-- Customers (R2.1). The national id is stored only encrypted (AES-256-GCM, key id beside the
-- ciphertext) with a keyed HMAC blind index for uniqueness and lookup, plus its last four
-- digits for masked display.
create table customers (
  id uuid primary key default gen_random_uuid(),
  full_name text not null check (length(full_name) between 1 and 200),
  email text not null,
  phone text,
  date_of_birth date,
  address jsonb,
  national_id_ciphertext bytea,
  national_id_key_id text,
  national_id_hmac bytea,
  national_id_last4 text check (national_id_last4 ~ '^[0-9A-Za-z]{1,4}$'),
  kyc_status text not null default 'PENDING' check (kyc_status in ('PENDING', 'VERIFIED', 'REJECTED')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((national_id_ciphertext is null) = (national_id_hmac is null))
);
create unique index customers_email_key on customers (lower(email));
create unique index customers_phone_key on customers (phone) where phone is not null;
create unique index customers_national_id_hmac_key on customers (national_id_hmac) where national_id_hmac is not null;
create index customers_full_name_idx on customers (lower(full_name) text_pattern_ops);
