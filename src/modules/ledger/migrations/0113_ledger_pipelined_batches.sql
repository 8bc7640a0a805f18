-- Pipelined ledger batches (createTransfers, src/modules/ledger/group-commit.ts).
--
-- A batch may be planned on account states read without a lock: one group of batches is
-- planned while the group before it is still being written, on the states that group will
-- leave. Its write checks, row by row as it updates the account totals, that each account still
-- is what the plan assumed, and calls this where one is not: the transaction fails as a
-- serialization failure, which the service answers by planning the batch again under locks.
-- Called only on a mismatch (the ELSE of a CASE), so the check costs a comparison per row, not
-- a function call. (An UPDATE that meets a row another transaction has changed since its
-- snapshot evaluates the CASE again on the newest version, so a change committed while the
-- write waited for the row's lock is seen too.)
create function ledger_account_changed(account uuid) returns bigint language plpgsql as $$
begin
  raise exception 'ledger: account % changed after the batch was planned', account
    using errcode = '40001';
end $$;

-- The order of pipelined groups: each holds an advisory lock on a ticket of its own from its
-- first statement to its commit. The statement that inserts a group's transfers and entries
-- waits here, after inserting them and before its triggers check the entries' balance chain,
-- for the ticket of the group it was planned after. So the inserts of two groups run side by
-- side, while the checks — and the update of the totals, a statement sent after it — always
-- find the group before committed. A null ticket waits for nothing.
create function ledger_wait_for(ticket bigint) returns boolean language plpgsql as $$
begin
  if ticket is not null then
    perform pg_advisory_xact_lock_shared(ticket);
  end if;
  return true;
end $$;
