-- pgbench's baseline: one double-entry transfer per transaction, one statement per step, the way
-- a straightforward ledger writes it. Run by bench/runs/pgbench.ts as
--   pgbench -n -f bench/pgbench-transfer.sql -D accounts=<N> -c <clients> -j 2 -T <s> -M prepared
-- Two distinct random accounts; the debit carries the balance check; when it passes, the credit,
-- the transfer row and the two entry rows (with balance after) follow in the same transaction.
-- When the debit fails the check the transaction commits nothing (insufficient funds: a business
-- outcome; with the default opening balances it does not happen within a run).
\set a random(1, :accounts)
\set b 1 + (:a + random(0, :accounts - 2)) % :accounts
\set amt random(1, 1000)
BEGIN;
WITH debited AS (
  UPDATE bench_accounts SET balance = balance - :amt WHERE id = :a AND balance >= :amt RETURNING balance
)
SELECT count(*) AS ok, coalesce(max(balance), 0) AS bal_a FROM debited \gset
\if :ok
UPDATE bench_accounts SET balance = balance + :amt WHERE id = :b RETURNING balance AS bal_b \gset
INSERT INTO bench_transfers (id, debit_account_id, credit_account_id, amount, code)
  VALUES (gen_random_uuid(), :a, :b, :amt, 'TRANSFER') RETURNING id AS tid \gset
INSERT INTO bench_entries (account_id, transfer_id, amount, balance_after)
  VALUES (:a, :tid, -:amt::bigint, :bal_a), (:b, :tid, :amt, :bal_b);
\endif
END;
