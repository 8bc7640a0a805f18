-- The double-entry ledger: TigerBeetle's primitives on PostgreSQL.
--
-- ledger_accounts hold running totals (debits/credits, posted/pending); ledger_transfers are
-- the append-only record of every movement; ledger_entries are the two postings of every
-- posted transfer with the balance after each, so statements and point-in-time balances are
-- one indexed range read. ledger_pending indexes the holds that are still open.
--
-- The invariants live here, not only in TypeScript, so no caller can break them:
--   * amounts are positive; an account's limit flag holds (CHECK on the row);
--   * a transfer's accounts exist and share its currency; post/void/expire match their pending;
--     a reversal mirrors its target; a pending is resolved once, a transfer reversed once;
--   * every posted transfer's entries are exactly one debit and one credit of its amount, and
--     each account's entries chain (balance_after = previous balance_after + amount);
--   * an account's posted balance always equals its last entry's balance_after;
--   * every update of balances nets to zero per currency, so each currency sums to zero;
--   * transfers and entries are never updated or deleted, accounts never deleted.
-- The checks are statement-level triggers over transition tables: one set-based query per
-- statement, whatever the batch size. A batch is small next to the tables it checks against,
-- so every lookup into a ledger table is written as a correlated scalar subquery: PostgreSQL
-- runs those as one index probe per row and never turns them into a join that could scan a
-- whole table (which a planner without statistics, as on a fresh database, would choose).

create table ledger_accounts (
  id uuid primary key default gen_random_uuid(),
  currency char(3) not null references currencies (code),
  kind text not null check (kind in ('asset', 'liability', 'equity', 'income', 'expense')),
  purpose text not null default 'CUSTOMER'
    check (purpose in ('CUSTOMER', 'VAULT', 'CLEARING', 'INTEREST_EXPENSE', 'FEE_INCOME', 'SUSPENSE')),
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'FROZEN', 'CLOSED')),
  debits_must_not_exceed_credits boolean not null default false,
  credits_must_not_exceed_debits boolean not null default false,
  overdraft_limit bigint not null default 0 check (overdraft_limit >= 0),
  debits_posted bigint not null default 0 check (debits_posted >= 0),
  credits_posted bigint not null default 0 check (credits_posted >= 0),
  debits_pending bigint not null default 0 check (debits_pending >= 0),
  credits_pending bigint not null default 0 check (credits_pending >= 0),
  created_at timestamptz not null default now(),
  constraint ledger_accounts_one_limit check (not (debits_must_not_exceed_credits and credits_must_not_exceed_debits)),
  constraint ledger_accounts_debit_limit check (
    not debits_must_not_exceed_credits or debits_posted + debits_pending <= credits_posted + overdraft_limit),
  constraint ledger_accounts_credit_limit check (
    not credits_must_not_exceed_debits or credits_posted + credits_pending <= debits_posted + overdraft_limit),
  constraint ledger_accounts_closed_empty check (
    status <> 'CLOSED' or (debits_posted = credits_posted and debits_pending = 0 and credits_pending = 0))
)
-- Room on each page for the new row version of a balance update (a HOT update: no index
-- entries to write), since every batch rewrites the rows of every account it touches.
with (fillfactor = 85);
create unique index ledger_accounts_internal_key on ledger_accounts (currency, purpose) where purpose <> 'CUSTOMER';

create table ledger_transfers (
  id uuid primary key,
  phase text not null check (phase in ('single', 'pending', 'post_pending', 'void_pending', 'expire_pending')),
  debit_account_id uuid not null,
  credit_account_id uuid not null,
  amount bigint not null check (amount > 0),
  currency char(3) not null,
  pending_id uuid,
  reverses_id uuid,
  code text not null check (code ~ '^[A-Z][A-Z0-9_]{0,31}$'),
  linked boolean not null default false,
  timeout_seconds integer check (timeout_seconds > 0),
  expires_at timestamptz,
  metadata jsonb not null default '{}',
  created_at timestamptz not null,
  check (debit_account_id <> credit_account_id),
  check ((phase in ('post_pending', 'void_pending', 'expire_pending')) = (pending_id is not null)),
  check ((timeout_seconds is null) = (expires_at is null)),
  check (timeout_seconds is null or phase = 'pending'),
  check (reverses_id is null or phase = 'single')
);
-- A pending transfer is resolved (posted, voided or expired) at most once; a transfer is
-- reversed at most once.
create unique index ledger_transfers_resolves_once on ledger_transfers (pending_id) where pending_id is not null;
create unique index ledger_transfers_reverses_once on ledger_transfers (reverses_id) where reverses_id is not null;

-- Keyed by (transfer, account): at most one entry per account per transfer, so with the
-- per-statement check below (exactly two entries, netting to zero) a transfer is posted exactly
-- once. `id` only orders entries (posting order); it needs no index of its own.
create table ledger_entries (
  id bigint generated always as identity,
  account_id uuid not null,
  transfer_id uuid not null,
  amount bigint not null check (amount <> 0),
  balance_after bigint not null,
  created_at timestamptz not null,
  primary key (transfer_id, account_id)
);
-- An account's entries in time order: statements, running and point-in-time balances, and the
-- last balance the triggers check against. created_at is read after the account's row lock, so
-- per account it never goes backwards and (created_at, id) is the posting order.
create index ledger_entries_account_time_idx on ledger_entries (account_id, created_at, id);

create table ledger_pending (
  transfer_id uuid primary key,
  debit_account_id uuid not null,
  credit_account_id uuid not null,
  amount bigint not null check (amount > 0),
  expires_at timestamptz
);
create index ledger_pending_expiry_idx on ledger_pending (expires_at) where expires_at is not null;
create index ledger_pending_debit_idx on ledger_pending (debit_account_id);
create index ledger_pending_credit_idx on ledger_pending (credit_account_id);

-- ---------------------------------------------------------------------------------------
-- Append-only.
create function ledger_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'ledger: % on % is not allowed (append-only)', tg_op, tg_table_name
    using errcode = 'P0001';
end $$;

create trigger ledger_transfers_append_only before update or delete or truncate on ledger_transfers
  for each statement execute function ledger_refuse_change();
create trigger ledger_entries_append_only before update or delete or truncate on ledger_entries
  for each statement execute function ledger_refuse_change();
create trigger ledger_accounts_no_delete before delete or truncate on ledger_accounts
  for each statement execute function ledger_refuse_change();

-- ---------------------------------------------------------------------------------------
-- New accounts start empty.
create function ledger_accounts_inserted() returns trigger language plpgsql as $$
begin
  if exists (select 1 from new_rows
             where debits_posted <> 0 or credits_posted <> 0 or debits_pending <> 0 or credits_pending <> 0) then
    raise exception 'ledger: a new account must start with zero balances' using errcode = '23514';
  end if;
  return null;
end $$;
create trigger ledger_accounts_inserted after insert on ledger_accounts
  referencing new table as new_rows for each statement execute function ledger_accounts_inserted();

-- Balance updates: identity columns fixed, zero-sum per currency, posted = last entry.
create function ledger_accounts_updated() returns trigger language plpgsql as $$
declare
  bad record;
begin
  if (select count(*) from new_rows n join old_rows o using (id)
      where n.currency = o.currency and n.kind = o.kind and n.purpose = o.purpose)
     <> (select count(*) from new_rows) then
    raise exception 'ledger: an account''s id, currency, kind and purpose never change' using errcode = '23514';
  end if;

  select n.currency into bad
  from new_rows n join old_rows o using (id)
  group by n.currency
  having sum((n.debits_posted - o.debits_posted) - (n.credits_posted - o.credits_posted)) <> 0
      or sum((n.debits_pending - o.debits_pending) - (n.credits_pending - o.credits_pending)) <> 0
  limit 1;
  if found then
    raise exception 'ledger: balance change does not net to zero in %', bad.currency using errcode = '23514';
  end if;

  select n.id into bad
  from new_rows n join old_rows o using (id)
  where (n.debits_posted <> o.debits_posted or n.credits_posted <> o.credits_posted)
    and n.credits_posted - n.debits_posted <> coalesce(
      (select e.balance_after from ledger_entries e where e.account_id = n.id
       order by e.created_at desc, e.id desc limit 1), 0)
  limit 1;
  if found then
    raise exception 'ledger: balance of account % does not match its entries', bad.id using errcode = '23514';
  end if;
  return null;
end $$;
create trigger ledger_accounts_updated after update on ledger_accounts
  referencing old table as old_rows new table as new_rows for each statement execute function ledger_accounts_updated();

-- Transfers: accounts exist in the transfer's currency; resolutions match their pending;
-- reversals mirror their target; a posted transfer comes with its entries.
create function ledger_transfers_inserted() returns trigger language plpgsql as $$
declare
  bad record;
begin
  select n.id into bad from new_rows n
  where (select a.currency from ledger_accounts a where a.id = n.debit_account_id) is distinct from n.currency
     or (select a.currency from ledger_accounts a where a.id = n.credit_account_id) is distinct from n.currency
  limit 1;
  if found then
    raise exception 'ledger: transfer % names a missing account or one in another currency', bad.id
      using errcode = '23503';
  end if;

  select n.id into bad from new_rows n
  where n.pending_id is not null
    and not coalesce((select p.phase = 'pending'
                             and p.debit_account_id = n.debit_account_id and p.credit_account_id = n.credit_account_id
                             and case when n.phase = 'post_pending' then n.amount <= p.amount else n.amount = p.amount end
                      from ledger_transfers p where p.id = n.pending_id), false)
  limit 1;
  if found then
    raise exception 'ledger: transfer % does not match its pending transfer', bad.id using errcode = '23514';
  end if;

  select n.id into bad from new_rows n
  where n.reverses_id is not null
    and not coalesce((select t.phase in ('single', 'post_pending')
                             and t.debit_account_id = n.credit_account_id and t.credit_account_id = n.debit_account_id
                             and t.amount = n.amount
                      from ledger_transfers t where t.id = n.reverses_id), false)
  limit 1;
  if found then
    raise exception 'ledger: reversal % does not mirror its target', bad.id using errcode = '23514';
  end if;

  -- A posted transfer is written in the same statement as its entries (see repo.writeBatch).
  select n.id into bad from new_rows n
  where n.phase in ('single', 'post_pending')
    and (select true from ledger_entries e where e.transfer_id = n.id limit 1) is null
  limit 1;
  if found then
    raise exception 'ledger: posted transfer % has no entries', bad.id using errcode = '23514';
  end if;
  return null;
end $$;
create trigger ledger_transfers_inserted after insert on ledger_transfers
  referencing new table as new_rows for each statement execute function ledger_transfers_inserted();

-- Entries: one debit and one credit of the transfer's amount per posted transfer, and each
-- account's entries chain without a gap.
create function ledger_entries_inserted() returns trigger language plpgsql as $$
declare
  bad record;
begin
  select g.transfer_id into bad
  from (select transfer_id, count(*) as n, sum(amount) as total from new_rows group by transfer_id) g
  where g.n <> 2 or g.total <> 0
     or not coalesce((select t.phase in ('single', 'post_pending') from ledger_transfers t where t.id = g.transfer_id), false)
  limit 1;
  if found then
    raise exception 'ledger: entries of transfer % do not balance', bad.transfer_id using errcode = '23514';
  end if;

  select e.id into bad from new_rows e
  where not coalesce((select (e.account_id = t.credit_account_id and e.amount = t.amount)
                             or (e.account_id = t.debit_account_id and e.amount = -t.amount)
                      from ledger_transfers t where t.id = e.transfer_id), false)
  limit 1;
  if found then
    raise exception 'ledger: entry % does not match its transfer', bad.id using errcode = '23514';
  end if;

  select o.id into bad from (
    select e.*, lag(e.balance_after) over w as prev_after, row_number() over w as rn
    from new_rows e window w as (partition by e.account_id order by e.id)
  ) o
  where (o.rn > 1 and o.balance_after <> o.prev_after + o.amount)
     or (o.rn = 1 and o.balance_after - o.amount <> coalesce(
          (select p.balance_after from ledger_entries p
           where p.account_id = o.account_id and (p.created_at, p.id) < (o.created_at, o.id)
           order by p.created_at desc, p.id desc limit 1), 0))
  limit 1;
  if found then
    raise exception 'ledger: entry % breaks its account''s balance chain', bad.id using errcode = '23514';
  end if;
  return null;
end $$;
create trigger ledger_entries_inserted after insert on ledger_entries
  referencing new table as new_rows for each statement execute function ledger_entries_inserted();

-- The bank's own accounts, one of each purpose per currency, with ids derived from currency
-- and purpose (md5 of 'corebank-internal:<currency>:<purpose>'), so code names them without a
-- lookup. Currencies added later get theirs from ensureInternalAccounts() in the service.
insert into ledger_accounts (id, currency, kind, purpose)
select md5('corebank-internal:' || c.code || ':' || p.purpose)::uuid, c.code, p.kind, p.purpose
from currencies c
cross join (values ('VAULT', 'asset'), ('CLEARING', 'asset'), ('INTEREST_EXPENSE', 'expense'),
                   ('FEE_INCOME', 'income'), ('SUSPENSE', 'liability')) as p (purpose, kind);
