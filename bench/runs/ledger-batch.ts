// The ledger batch API in-process: `clients` concurrent workers, each repeatedly posting a batch
// of `batchSize` transfers (uniform over `accounts` customer accounts) with createTransfers, one
// database transaction per batch. Latency is measured per batch (one createTransfers call).
import { randomUUID } from 'node:crypto';
import { migrate } from '../../src/platform/db/migrate.js';
import { createPool, type Pool } from '../../src/platform/db/pool.js';
import type { TransferInput } from '../../src/modules/ledger/types.js';
import { describeWrites, flushPool, writeCounters, writesPerTransfer } from '../lib/writes.js';
import type { RunCheck, RunContext, RunDefinition, RunOutput } from './types.js';

/**
 * What the benchmark uses of src/modules/ledger/service.ts, type-checked against the module
 * itself. It is loaded at run time (not statically imported) so that a ledger that does not load
 * fails the ledger runs alone, not the pgbench baseline.
 */
type LedgerService = Pick<
  typeof import('../../src/modules/ledger/service.js'),
  'createLedgerAccounts' | 'createTransfers' | 'internalAccountId' | 'reconcile'
>;

const CURRENCY = 'USD';
/** Each customer account is funded from the vault with this much (minor units). */
const FUNDING = 1_000_000n;
const FUNDING_BATCH = 500;
const MAX_AMOUNT = 1000;

async function loadLedger(): Promise<LedgerService | string> {
  try {
    return await import('../../src/modules/ledger/service.js');
  } catch (err) {
    return `the ledger service does not load: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function warmPool(pool: Pool, size: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  for (const c of clients) c.release();
}

async function runLedger(ctx: RunContext, workers: number): Promise<RunOutput> {
  const ledger = await loadLedger();
  if (typeof ledger === 'string') throw new Error(ledger);
  const db = await ctx.createDatabase('bench_ledger');
  const poolSize = Math.max(1, Math.min(workers, ctx.freeConnections - 4));
  if (poolSize < workers) ctx.log(`note: pool capped at ${poolSize} connections (server limit)`);
  const pool = createPool({ connectionString: db.url, max: poolSize, applicationName: 'corebank-bench' });
  try {
    await migrate(pool);

    // Customer deposit accounts, each funded from the vault with one DEPOSIT transfer.
    const vault = await ledger.internalAccountId(pool, CURRENCY, 'VAULT');
    const ids: string[] = [];
    for (const part of chunks(Array.from({ length: ctx.accounts }), 1000)) {
      const created = await ledger.createLedgerAccounts(
        pool,
        part.map(() => ({
          currency: CURRENCY,
          kind: 'liability',
          purpose: 'CUSTOMER',
          debitsMustNotExceedCredits: true,
        })),
      );
      ids.push(...created.map((a) => a.id));
    }
    for (const part of chunks(ids, FUNDING_BATCH)) {
      const results = await ledger.createTransfers(
        pool,
        part.map((id) => ({
          id: randomUUID(),
          debitAccountId: vault,
          creditAccountId: id,
          amount: FUNDING,
          code: 'DEPOSIT',
        })),
      );
      const bad = results.find((r) => r.result !== 'ok');
      if (bad) throw new Error(`funding failed: ${bad.result}`);
    }
    const funded = FUNDING * BigInt(ids.length);
    // Fresh tables have no planner statistics yet; like pgbench -i, start from analyzed tables.
    await pool.query('vacuum analyze');
    await pool.query('checkpoint').catch(() => undefined); // as before the pgbench runs
    await warmPool(pool, poolSize);
    await flushPool(pool, poolSize);
    const writesBefore = await writeCounters(pool);

    const randomIndex = () => Math.floor(Math.random() * ids.length);
    const makeBatch = (): TransferInput[] =>
      Array.from({ length: ctx.batchSize }, () => {
        const a = randomIndex();
        let b = randomIndex();
        while (b === a) b = randomIndex();
        return {
          id: randomUUID(),
          debitAccountId: ids[a],
          creditAccountId: ids[b],
          amount: BigInt(1 + Math.floor(Math.random() * MAX_AMOUNT)),
          code: 'TRANSFER',
        };
      });

    const outcomes = new Map<string, number>();
    const latenciesMs: number[] = [];
    let thrown = 0;
    let firstError: unknown;
    const started = performance.now();
    const deadline = started + ctx.seconds * 1000;
    const worker = async () => {
      while (performance.now() < deadline && !ctx.signal.aborted) {
        const batch = makeBatch();
        const t0 = performance.now();
        try {
          const results = await ledger.createTransfers(pool, batch);
          latenciesMs.push(performance.now() - t0);
          for (const r of results) outcomes.set(r.result, (outcomes.get(r.result) ?? 0) + 1);
        } catch (err) {
          thrown += batch.length;
          firstError ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    const elapsedSeconds = (performance.now() - started) / 1000;
    if (firstError) ctx.log(`first error: ${String(firstError)}`);
    await flushPool(pool, poolSize);
    const writes = writesPerTransfer(writesBefore, await writeCounters(pool), 'ledger_transfers');

    const ok = outcomes.get('ok') ?? 0;
    const insufficient = outcomes.get('exceeds_credits') ?? 0;
    const unexpected = [...outcomes].filter(([code]) => code !== 'ok' && code !== 'exceeds_credits');
    const checks = await conservationChecks(ledger, pool, ids, funded, ok);
    return {
      transfers: ok,
      latenciesMs,
      errors: thrown + unexpected.reduce((n, [, c]) => n + c, 0),
      elapsedSeconds,
      checks,
      details: {
        'batch size': ctx.batchSize,
        accounts: ids.length,
        'pool connections': poolSize,
        batches: latenciesMs.length,
        ok,
        'insufficient funds (exceeds_credits)': insufficient,
        'thrown (transfers in failed batches)': thrown,
        ...Object.fromEntries(unexpected.map(([code, n]) => [`unexpected ${code}`, n])),
        'written per transfer': describeWrites(writes),
      },
    };
  } finally {
    await pool.end().catch(() => undefined);
    await db.drop().catch((err: unknown) => ctx.log(`could not drop ${db.name}: ${String(err)}`));
  }
}

/** Money is conserved: customers hold exactly what was funded, and the ledger reconciles. */
async function conservationChecks(
  ledger: LedgerService,
  pool: Pool,
  ids: string[],
  funded: bigint,
  ok: number,
): Promise<RunCheck[]> {
  const checks: RunCheck[] = [];
  const { rows } = await pool.query<{
    customers: string;
    debits: string;
    credits: string;
    transfers: string;
  }>(
    `select (select coalesce(sum(credits_posted - debits_posted), 0) from ledger_accounts
              where id = any($1::uuid[]))::text as customers,
            (select coalesce(sum(debits_posted), 0) from ledger_accounts)::text as debits,
            (select coalesce(sum(credits_posted), 0) from ledger_accounts)::text as credits,
            (select count(*) from ledger_transfers where code = 'TRANSFER')::text as transfers`,
    [ids],
  );
  const row = rows[0];
  if (!row) throw new Error('conservation query returned nothing');
  checks.push({
    name: 'customers hold what was funded',
    ok: BigInt(row.customers) === funded,
    detail: `sum of customer balances ${row.customers}, funded ${funded}`,
  });
  checks.push({
    name: 'debits equal credits',
    ok: row.debits === row.credits,
    detail: `all accounts: debits_posted ${row.debits}, credits_posted ${row.credits}`,
  });
  checks.push({
    name: 'every ok transfer recorded once',
    ok: Number(row.transfers) === ok,
    detail: `${row.transfers} TRANSFER rows for ${ok} ok results`,
  });
  const report = await ledger.reconcile(pool);
  checks.push({
    name: 'reconcile()',
    ok: report.ok,
    detail: report.ok
      ? `ok (${report.accounts} accounts, ${report.transfers} transfers, ${report.entries} entries)`
      : report.discrepancies.slice(0, 5).join('; '),
  });
  return checks;
}

export function ledgerBatchRun(workers: number): RunDefinition {
  return {
    name: `ledger-batch-${workers}`,
    group: 'ledger',
    clients: workers,
    latencyUnit: 'batch',
    // Issue 2's target compares the batch path with pgbench at 16 clients, whatever the worker count.
    baselineClients: 16,
    quick: workers === 16,
    async unavailable() {
      const ledger = await loadLedger();
      return typeof ledger === 'string' ? ledger : null;
    },
    run: (ctx) => runLedger(ctx, workers),
  };
}
