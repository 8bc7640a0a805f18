-- An account's identity (id, owner, number, type, currency) never changes, and an account is never
-- deleted: it is closed (closed_at, and CLOSED on its ledger row, which cannot be deleted either).
-- Statements, history and audit rows name accounts by these facts, and the payments path
-- remembers the identities it has read (accounts/identity.ts), so the database refuses a change
-- rather than trusting every future caller not to make one. Updates of other columns (nickname,
-- rate, closed_at) do not fire the row trigger at all.
create function accounts_refuse_identity_change() returns trigger language plpgsql as $$
begin
  if (new.id, new.customer_id, new.account_number, new.type, new.currency)
     is distinct from (old.id, old.customer_id, old.account_number, old.type, old.currency) then
    raise exception 'accounts: an account''s id, owner, number, type and currency never change'
      using errcode = 'P0001';
  end if;
  return new;
end $$;

create function accounts_refuse_delete() returns trigger language plpgsql as $$
begin
  raise exception 'accounts: % is not allowed (close the account instead)', tg_op using errcode = 'P0001';
end $$;

create trigger accounts_identity_immutable
  before update of id, customer_id, account_number, type, currency on accounts
  for each row execute function accounts_refuse_identity_change();
create trigger accounts_no_delete before delete or truncate on accounts
  for each statement execute function accounts_refuse_delete();
