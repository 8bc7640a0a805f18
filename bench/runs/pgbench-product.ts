// A second baseline: pgbench running bench/pgbench-product-transfer.sql, which writes the rows
// corebank's product path writes for a customer transfer (ledger transfer, entries and totals,
// transaction record, outbox event, fraud statistics and known payee, audit row, idempotency key),
// one transfer per transaction, on a clone of the HTTP runs' funded fixture. It answers what the
// product's work costs done the straightforward way, without the server and the micro-batcher;
// `pgbench-64` answers what a bare double-entry transfer costs. The HTTP runs' ratio stays the
// one to pgbench-64, as issue 8 states its targets.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminQuery } from '../lib/db.js';
import { cloneFixture, loadFixtureModule } from '../lib/fixture-once.js';
import { pgbenchBinary, pgbenchVersion, runDetails, runScript } from './pgbench.js';
import type { RunCheck, RunContext, RunDefinition, RunOutput } from './types.js';

export const PRODUCT_SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'pgbench-product-transfer.sql',
);

/**
 * Creates bench_product_accounts, which maps 1..N (what pgbench draws) to the database's accounts
 * and their owners' user ids, in account id order; returns N.
 */
export async function mapAccounts(url: string): Promise<number> {
  await adminQuery(
    url,
    `create table bench_product_accounts as
       select row_number() over (order by a.id)::int as n, a.id as account_id, u.id as user_id
         from accounts a join users u on u.customer_id = a.customer_id`,
  );
  await adminQuery(url, 'alter table bench_product_accounts add primary key (n)');
  await adminQuery(url, 'analyze bench_product_accounts');
  const [mapped] = await adminQuery<{ n: number }>(
    url,
    'select count(*)::int as n from bench_product_accounts',
  );
  return mapped?.n ?? 0;
}

async function runPgbenchProduct(ctx: RunContext, clients: number): Promise<RunOutput> {
  const { fx, db } = await cloneFixture(ctx, 'bench_pgbench_product');
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'corebank-pgbench-product-'));
  try {
    const mapped = await mapAccounts(db.url);
    // As before the other pgbench runs (best effort: it needs superuser or pg_checkpoint).
    await adminQuery(db.url, 'checkpoint').catch(() => undefined);
    if (mapped !== ctx.accounts) throw new Error(`the fixture has ${mapped} accounts, not ${ctx.accounts}`);

    const run = await runScript(ctx, {
      url: db.url,
      script: PRODUCT_SCRIPT,
      clients,
      logDir,
      transferTable: 'ledger_transfers',
    });
    const [facts] = await adminQuery<{
      transfers: number;
      transactions: number;
      audited: number;
      keys: number;
      entries: number;
      customers: string;
      debits: string;
      credits: string;
      audit_rows: number;
      audit_max: number;
      head: number;
    }>(
      db.url,
      `select (select count(*)::int from ledger_transfers where code = 'TRANSFER') as transfers,
              (select count(*)::int from transactions where type = 'TRANSFER') as transactions,
              (select count(*)::int from audit_log where action = 'transaction.transfer') as audited,
              (select count(*)::int from idempotency_keys where key like 'pgb-%') as keys,
              (select count(*)::int from ledger_entries e join ledger_transfers t on t.id = e.transfer_id
                where t.code = 'TRANSFER') as entries,
              (select sum(credits_posted - debits_posted)::text from ledger_accounts where purpose = 'CUSTOMER') as customers,
              (select sum(debits_posted)::text from ledger_accounts) as debits,
              (select sum(credits_posted)::text from ledger_accounts) as credits,
              (select count(*)::int from audit_log) as audit_rows,
              (select max(seq)::int from audit_log) as audit_max,
              (select seq::int from audit_chain_head) as head`,
    );
    if (!facts) throw new Error('no facts');
    const checks: RunCheck[] = [
      {
        name: 'money conserved',
        ok: BigInt(facts.customers) === fx.funded && facts.debits === facts.credits,
        detail: `sum of customer balances ${facts.customers} (funded ${fx.funded}); debits_posted ${facts.debits}, credits_posted ${facts.credits}`,
      },
      {
        name: 'every transfer recorded once, with its entries, audit row and key',
        ok:
          facts.transfers === run.processed &&
          facts.transactions === facts.transfers &&
          facts.audited === facts.transfers &&
          facts.keys === facts.transfers &&
          facts.entries === 2 * facts.transfers,
        detail: `${run.processed} transactions processed: ${facts.transfers} ledger transfers, ${facts.transactions} transaction rows, ${facts.audited} audit rows, ${facts.keys} keys, ${facts.entries} entries`,
      },
      {
        name: 'audit chain without gaps',
        ok: facts.audit_rows === facts.audit_max && facts.head === facts.audit_max,
        detail: `${facts.audit_rows} rows, last seq ${facts.audit_max}, head ${facts.head}`,
      },
    ];
    return {
      transfers: facts.transfers,
      latenciesMs: run.latenciesMs,
      errors: run.failed + run.aborted,
      elapsedSeconds: run.elapsedSeconds,
      // pgbench's own figure (it excludes connection set-up).
      transfersPerSec: run.tps,
      checks,
      details: { 'transactions processed': run.processed, ...runDetails(run) },
    };
  } finally {
    await rm(logDir, { recursive: true, force: true });
    await db.drop().catch((err: unknown) => ctx.log(`could not drop ${db.name}: ${String(err)}`));
  }
}

export function pgbenchProductRun(clients: number): RunDefinition {
  return {
    name: `pgbench-product-${clients}`,
    group: 'pgbench',
    clients,
    latencyUnit: 'transaction',
    baselineClients: clients,
    quick: false,
    async unavailable() {
      if ((await pgbenchVersion()) === null)
        return `pgbench not found (${pgbenchBinary()}; set PGBENCH to its path)`;
      const mod = await loadFixtureModule();
      return typeof mod === 'string' ? mod : null;
    },
    run: (ctx) => runPgbenchProduct(ctx, clients),
  };
}
