// The baseline: pgbench running bench/pgbench-transfer.sql (one double-entry transfer per
// transaction) against its own tables (bench/pgbench-schema.sql) in a fresh database.
// Latencies are exact: read from pgbench's per-transaction log (-l), one line per transaction.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { adminQuery } from '../lib/db.js';
import { describeWrites, settledCounters, writesPerTransfer, type WritesPerTransfer } from '../lib/writes.js';
import type { RunContext, RunDefinition, RunOutput } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA = path.join(here, '..', 'pgbench-schema.sql');
const SCRIPT = path.join(here, '..', 'pgbench-transfer.sql');
/** Large enough that no debit fails the balance check within a run (amounts are 1–1000). */
const OPENING_BALANCE = 1_000_000_000n;
const THREADS = 2;
const MAX_TRIES = 10; // deadlocks (two transfers locking the same two accounts in opposite order) are retried

export const pgbenchBinary = (): string => process.env.PGBENCH ?? 'pgbench';

interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(cmd: string, args: string[], opts: { cwd?: string; signal?: AbortSignal; timeoutMs?: number }) {
  return new Promise<Exec>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', kill, { once: true });
    const timer = opts.timeoutMs ? setTimeout(kill, opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function pgbenchVersion(): Promise<string | null> {
  try {
    const r = await exec(pgbenchBinary(), ['--version'], { timeoutMs: 10_000 });
    return r.code === 0 ? r.stdout.trim() : null;
  } catch {
    return null;
  }
}

function field(out: string, re: RegExp): number | undefined {
  const m = re.exec(out);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Per-transaction log lines: client_id transaction_no time_us script_no epoch epoch_us [retries]. */
async function readLatencies(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const file of await readdir(dir)) {
    if (!file.startsWith('tx.')) continue;
    for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
      const us = line.split(' ')[2];
      if (us !== undefined && /^\d+$/.test(us)) out.push(Number(us) / 1000); // 'failed' lines are skipped
    }
  }
  return out;
}

export interface ScriptRun {
  tps: number;
  processed: number;
  failed: number;
  retried: number;
  aborted: number;
  elapsedSeconds: number;
  latenciesMs: number[];
  writes: WritesPerTransfer | undefined;
}

/**
 * Runs pgbench with `script` against the database at `url` for the run's duration, reading the
 * database's writes before and after (per row inserted into `transferTable`) and every
 * transaction's latency from pgbench's log in `logDir`.
 */
export async function runScript(
  ctx: RunContext,
  o: { url: string; script: string; clients: number; logDir: string; transferTable: string },
): Promise<ScriptRun> {
  if (o.clients > ctx.freeConnections) {
    ctx.log(`warning: ${o.clients} clients but the server has ${ctx.freeConnections} free connections`);
  }
  const args = [
    '--no-vacuum',
    `--file=${o.script}`,
    `--define=accounts=${ctx.accounts}`,
    `--client=${o.clients}`,
    `--jobs=${Math.min(THREADS, o.clients)}`,
    `--time=${ctx.seconds}`,
    '--protocol=prepared',
    `--max-tries=${MAX_TRIES}`,
    '--log',
    `--log-prefix=${path.join(o.logDir, 'tx')}`,
    o.url,
  ];
  const writesBefore = await settledCounters(o.url);
  const started = performance.now();
  const r = await exec(pgbenchBinary(), args, {
    cwd: o.logDir,
    signal: ctx.signal,
    timeoutMs: (ctx.seconds + 120) * 1000,
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  if (ctx.signal.aborted) throw new Error('interrupted');
  const tps = field(r.stdout, /^tps = ([\d.]+)/m);
  const processed = field(r.stdout, /number of transactions actually processed: (\d+)/);
  if (tps === undefined || processed === undefined) {
    throw new Error(`pgbench failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  }
  return {
    tps,
    processed,
    failed: field(r.stdout, /number of failed transactions: (\d+)/) ?? 0,
    retried: field(r.stdout, /number of transactions retried: (\d+)/) ?? 0,
    aborted: (r.stderr.match(/client \d+ aborted/g) ?? []).length,
    elapsedSeconds,
    latenciesMs: await readLatencies(o.logDir),
    writes: writesPerTransfer(writesBefore, await settledCounters(o.url), o.transferTable),
  };
}

/** The details every pgbench run prints. */
export const runDetails = (run: ScriptRun): Record<string, string | number> => ({
  'deadlocks retried': run.retried,
  'failed transactions': run.failed,
  'aborted clients': run.aborted,
  'latency samples': run.latenciesMs.length,
  'written per transfer': describeWrites(run.writes),
});

async function runPgbench(ctx: RunContext, clients: number): Promise<RunOutput> {
  const db = await ctx.createDatabase('bench_pgbench');
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'corebank-pgbench-'));
  try {
    const setup = new pg.Client({ connectionString: db.url });
    setup.on('error', () => undefined);
    await setup.connect();
    try {
      await setup.query(`set client_min_messages = warning`);
      await setup.query(`select set_config('bench.accounts', $1, false)`, [String(ctx.accounts)]);
      await setup.query(`select set_config('bench.opening_balance', $1, false)`, [String(OPENING_BALANCE)]);
      await setup.query(await readFile(SCHEMA, 'utf8'));
      // Every measured phase starts right after a checkpoint (best effort: it needs superuser
      // or pg_checkpoint).
      await setup.query('checkpoint').catch(() => undefined);
    } finally {
      await setup.end().catch(() => undefined);
    }
    const run = await runScript(ctx, {
      url: db.url,
      script: SCRIPT,
      clients,
      logDir,
      transferTable: 'bench_transfers',
    });
    const [facts] = await adminQuery<{
      transfers: string;
      entries: string;
      entry_sum: string;
      balance_sum: string;
      mismatched: string;
    }>(
      db.url,
      `select (select count(*) from bench_transfers)::text as transfers,
              (select count(*) from bench_entries)::text as entries,
              (select coalesce(sum(amount), 0) from bench_entries)::text as entry_sum,
              (select sum(balance) from bench_accounts)::text as balance_sum,
              (select count(*) from bench_accounts a
                 where a.balance <> ${OPENING_BALANCE}
                   + coalesce((select sum(e.amount) from bench_entries e where e.account_id = a.id), 0))::text as mismatched`,
    );
    if (!facts) throw new Error('no facts');
    const transfers = Number(facts.transfers);
    const expectedTotal = OPENING_BALANCE * BigInt(ctx.accounts);
    return {
      transfers,
      latenciesMs: run.latenciesMs,
      errors: run.failed + run.aborted,
      elapsedSeconds: run.elapsedSeconds,
      // pgbench's own figure (it excludes connection set-up), scaled to transactions that moved money.
      transfersPerSec: run.processed > 0 ? (run.tps * transfers) / run.processed : 0,
      checks: [
        {
          name: 'money conserved',
          ok: BigInt(facts.balance_sum) === expectedTotal && facts.entry_sum === '0',
          detail: `sum of balances ${facts.balance_sum} (opened with ${expectedTotal}), sum of entries ${facts.entry_sum}`,
        },
        {
          name: 'two entries per transfer',
          ok: BigInt(facts.entries) === 2n * BigInt(transfers),
          detail: `${facts.entries} entries for ${transfers} transfers`,
        },
        {
          name: 'balances match entries',
          ok: facts.mismatched === '0',
          detail: `${facts.mismatched} accounts differ from opening balance + entries`,
        },
      ],
      details: {
        'transactions processed': run.processed,
        'insufficient funds (debit check failed)': run.processed - transfers,
        ...runDetails(run),
      },
    };
  } finally {
    await rm(logDir, { recursive: true, force: true });
    await db.drop().catch((err: unknown) => ctx.log(`could not drop ${db.name}: ${String(err)}`));
  }
}

export function pgbenchRun(clients: number): RunDefinition {
  return {
    name: `pgbench-${clients}`,
    group: 'pgbench',
    clients,
    latencyUnit: 'transaction',
    baseline: true,
    baselineClients: clients,
    quick: true,
    async unavailable() {
      return (await pgbenchVersion()) === null
        ? `pgbench not found (${pgbenchBinary()}; set PGBENCH to its path): the baseline is unavailable`
        : null;
    },
    run: (ctx) => runPgbench(ctx, clients),
  };
}
