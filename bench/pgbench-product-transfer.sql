-- pgbench-product: the rows corebank's product path writes for one customer transfer, written the
-- straightforward way, one transfer per transaction and one statement per step, on corebank's
-- own schema (a clone of the HTTP runs' funded fixture), so its triggers, checks, foreign keys and
-- indexes all apply. Run by bench/runs/pgbench.ts as
--   pgbench -n -f bench/pgbench-product-transfer.sql -D accounts=<N> -c <clients> -j 2 -T <s> -M prepared
-- It is a baseline for what the work costs without the server and without the micro-batcher, not
-- the product: no HTTP, no authentication, no fraud scoring (the statistics are locked and
-- updated, not scored), and the audit row's hash is computed here in SQL, not as the server
-- computes it, so `corebank verify` would refuse the chain's hashes (the chain's order and links
-- are still checked by the audit trigger). bench_product_accounts maps 1..N to the fixture's
-- accounts and their owners.
\set a random(1, :accounts)
\set b 1 + (:a + random(0, :accounts - 2)) % :accounts
\set amt random(1, 1000)
BEGIN;
SELECT pa.account_id AS a_id, pa.user_id AS a_user, pb.account_id AS b_id, gen_random_uuid() AS tid,
       'pgb-' || gen_random_uuid() AS idem, now() AS started
  FROM bench_product_accounts pa, bench_product_accounts pb WHERE pa.n = :a AND pb.n = :b \gset
-- The idempotency key: its advisory lock, and whether it was used before.
SELECT count(*) AS replays FROM idempotency_take_keys(ARRAY[:a_user::uuid], ARRAY[:idem::text]) \gset
-- Fraud screening's read: the payer's statistics row, locked, and whether the payee is known.
SELECT count(*) AS screened FROM fraud_lock_states(ARRAY[:a_id::uuid], ARRAY[:a_id::uuid], ARRAY['account:' || :b_id]) \gset
-- The ledger: both accounts locked in id order, their posted balances read.
SELECT max(bal) FILTER (WHERE id = :a_id::uuid) AS a_bal, max(bal) FILTER (WHERE id = :b_id::uuid) AS b_bal
  FROM (SELECT id, credits_posted - debits_posted AS bal FROM ledger_accounts
         WHERE id IN (:a_id::uuid, :b_id::uuid) ORDER BY id FOR UPDATE) locked \gset
-- The transfer and its two entries in one statement (the ledger's triggers require it).
WITH t AS (
  INSERT INTO ledger_transfers (id, phase, debit_account_id, credit_account_id, amount, currency, code, created_at)
  VALUES (:tid::uuid, 'single', :a_id::uuid, :b_id::uuid, :amt, 'USD', 'TRANSFER', clock_timestamp())
  RETURNING id, created_at)
INSERT INTO ledger_entries (account_id, transfer_id, amount, balance_after, created_at)
SELECT :a_id::uuid, id, -(:amt::bigint), :a_bal::bigint - :amt, created_at FROM t
UNION ALL
SELECT :b_id::uuid, id, :amt::bigint, :b_bal::bigint + :amt, created_at FROM t;
-- The two accounts' totals in one statement (it must net to zero).
UPDATE ledger_accounts
   SET debits_posted = debits_posted + CASE WHEN id = :a_id::uuid THEN :amt ELSE 0 END,
       credits_posted = credits_posted + CASE WHEN id = :b_id::uuid THEN :amt ELSE 0 END
 WHERE id IN (:a_id::uuid, :b_id::uuid);
-- The transaction record and its outbox event.
INSERT INTO transactions (id, reference, type, status, amount, currency, from_account_id, to_account_id,
  description, category, tags, channel, initiated_by, transfer_id, completed_at)
VALUES (:tid::uuid, 'CB' || to_char(now(), 'YYMMDD') || upper(substr(md5(:tid), 1, 16)), 'TRANSFER', 'COMPLETED',
  :amt, 'USD', :a_id::uuid, :b_id::uuid, NULL, 'transfers', '{}',
  '{"ip": "127.0.0.1", "userAgent": "corebank-bench"}', :a_user::uuid, :tid::uuid, clock_timestamp());
INSERT INTO outbox_events (topic, aggregate_id, payload)
VALUES ('transaction.transfer', :tid::uuid,
  jsonb_build_object('transactionId', :tid::text, 'type', 'TRANSFER', 'status', 'COMPLETED'));
-- The payer's statistics: counts, the velocity and amount windows (as screening keeps them), the
-- day's total; and the payee remembered.
UPDATE fraud_account_stats
   SET screened_count = screened_count + 1, posted_count = posted_count + 1,
       recent_at = (recent_at || (extract(epoch FROM clock_timestamp()) * 1000)::bigint)[greatest(1, cardinality(recent_at) - 62):],
       amounts = (amounts || :amt::bigint)[greatest(1, cardinality(amounts) - 98):],
       amount_at = (amount_at || (extract(epoch FROM clock_timestamp()) * 1000)::bigint)[greatest(1, cardinality(amount_at) - 98):],
       amount_n = least(amount_n + 1, 100),
       amount_mean = amount_mean + (:amt - amount_mean) / (amount_n + 1),
       amount_m2 = amount_m2 + (:amt - amount_mean) * (:amt - amount_mean) * amount_n / (amount_n + 1),
       last_seen_at = clock_timestamp(), last_ip = '127.0.0.1', day = current_date,
       day_total = day_total + :amt, updated_at = clock_timestamp()
 WHERE account_id = :a_id::uuid;
INSERT INTO fraud_known_payees (account_id, payee, first_paid_at, last_paid_at, payments)
VALUES (:a_id::uuid, 'account:' || :b_id, clock_timestamp(), clock_timestamp(), 1)
ON CONFLICT (account_id, payee) DO UPDATE
  SET last_paid_at = greatest(fraud_known_payees.last_paid_at, excluded.last_paid_at),
      payments = fraud_known_payees.payments + 1;
-- The audit row, chained onto the head (its trigger checks the link and moves the head).
SELECT seq + 1 AS aseq, hash AS ahash FROM audit_chain_head WHERE singleton FOR UPDATE \gset
INSERT INTO audit_log (seq, id, created_at, actor_id, actor_role, ip, user_agent, request_id, entity_type,
  entity_id, action, after, prev_hash, hash)
VALUES (:aseq, gen_random_uuid(), clock_timestamp(), :a_user::uuid, 'customer', '127.0.0.1', 'corebank-bench',
  'pgb-' || :aseq, 'transaction', :tid, 'transaction.transfer',
  jsonb_build_object('type', 'TRANSFER', 'status', 'COMPLETED', 'amount', :amt::text, 'currency', 'USD',
                     'from', :a_id::text, 'to', :b_id::text),
  :ahash, encode(sha256(convert_to(:aseq || :ahash || :tid, 'UTF8')), 'hex'));
-- The key, stored with a reply the size of the product's.
INSERT INTO idempotency_keys (user_id, key, request_hash, response_status, response_body)
VALUES (:a_user::uuid, :idem, encode(sha256(convert_to(:idem, 'UTF8')), 'hex'), 201,
  json_build_object('id', :tid::text, 'reference', 'CB' || upper(substr(md5(:tid), 1, 16)), 'type', 'TRANSFER',
    'status', 'COMPLETED', 'amount', '1.00', 'currency', 'USD', 'fromAccountId', :a_id::text,
    'toAccountId', :b_id::text, 'counterparty', NULL, 'description', NULL, 'category', 'transfers',
    'tags', '[]'::json, 'channel', json_build_object('ip', '127.0.0.1', 'userAgent', 'corebank-bench'),
    'createdAt', :started::text, 'completedAt', :started::text));
END;
