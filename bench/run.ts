// `npm run bench`: the pgbench baseline and corebank's own write paths, one after the other,
// against one PostgreSQL server (DATABASE_URL's, or a throwaway embedded one), each in a fresh
// database. Prints a table and writes bench/results/latest.json. See docs/benchmarks.md.
//
//   npm run bench                                  every run, ~10 s each
//   npm run bench -- --quick                       fewer runs (64 connections for HTTP), 5 s each
//   npm run bench -- --only pgbench --seconds 5    some runs (group or run names), shorter
//   npm run bench -- --only 'pgbench-64,http-*-64' names may use * as a wildcard
//   npm run bench -- --only 'pgbench-64,http-batch-*-64' --rounds 3   medians of 3 alternations
//   BENCH_SECONDS=30 BENCH_ACCOUNTS=10000 BENCH_BATCH=250 npm run bench
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DatabaseFactory, serverFacts } from './lib/db.js';
import { table, writeResults, type PrintedRow } from './lib/report.js';
import { openServer, type BenchServer } from './lib/server.js';
import { combineRounds, type RoundRow } from './lib/rounds.js';
import { round, summarize } from './lib/stats.js';
import { pgbenchVersion } from './runs/pgbench.js';
import { runs as registry } from './runs/index.js';
import type { HttpSettings, RunCheck, RunContext } from './runs/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(here, 'results', 'latest.json');

function positiveInt(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${what} must be a positive integer, got ${value}`);
  return n;
}

function nonNegative(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${what} must be a number >= 0, got ${value}`);
  return n;
}

/** A run name pattern: `*` matches any characters. */
const matches = (pattern: string, name: string) =>
  pattern.includes('*')
    ? new RegExp(
        `^${pattern
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      ).test(name)
    : pattern === name;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seconds: { type: 'string' },
    accounts: { type: 'string' },
    batch: { type: 'string' },
    quick: { type: 'boolean' },
    rounds: { type: 'string' },
    window: { type: 'string' },
    'batch-max': { type: 'string' },
    'in-flight': { type: 'string' },
    warmup: { type: 'string' },
    pool: { type: 'string' },
    profile: { type: 'string' },
    'trace-sql': { type: 'boolean' },
    'fraud-rules': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`usage: npm run bench -- [--quick] [--only <names>] [--seconds N] [--accounts N] [--batch N]
  --quick     fewer runs (${registry
    .filter((r) => r.quick)
    .map((r) => r.name)
    .join(', ')}), 5 s each unless --seconds says otherwise (env BENCH_QUICK=1)
  --only      comma-separated groups or run names, * as a wildcard: ${[...new Set(registry.map((r) => r.group))].join(', ')}, ${registry.map((r) => r.name).join(', ')} (env BENCH_ONLY)
  --seconds   measured duration of each run (env BENCH_SECONDS, default 10)
  --accounts  accounts transfers are spread over (env BENCH_ACCOUNTS, default 10000)
  --batch     transfers per ledger batch (env BENCH_BATCH, default 250)
  --rounds    do the selected runs N times in alternation; print medians, ranges and per-round ratios (env BENCH_ROUNDS, default 1)
  HTTP runs:
  --window    MOVEMENT_BATCH_WINDOW_MS with the batcher on (env BENCH_HTTP_WINDOW_MS, default 2)
  --batch-max MOVEMENT_BATCH_MAX (env BENCH_HTTP_BATCH_MAX, default 256)
  --in-flight MOVEMENT_BATCHES_IN_FLIGHT (env BENCH_HTTP_IN_FLIGHT, default: the server's default)
  --warmup    unmeasured seconds of load before each run (env BENCH_HTTP_WARMUP, default 6)
  --pool      the server's DB_POOL_MAX (env BENCH_HTTP_POOL, default: the connection count)
  --profile   directory: write a CPU profile of the server per HTTP run and print a summary (env BENCH_PROFILE)
  --fraud-rules JSON for the server's FRAUD_RULES_JSON (env BENCH_FRAUD_RULES_JSON; default: the product's rules)
  --trace-sql time every SQL statement the server sends and print the totals per HTTP run (env BENCH_TRACE_SQL=1)
DATABASE_URL: run against that server (the benchmark creates and drops its own databases);
unset: a throwaway embedded PostgreSQL with durable commits.`);
  process.exit(0);
}

const quick = values.quick === true || ['1', 'true', 'yes'].includes(process.env.BENCH_QUICK ?? '');
const seconds = positiveInt(values.seconds ?? process.env.BENCH_SECONDS, quick ? 5 : 10, 'seconds');
const accounts = positiveInt(values.accounts ?? process.env.BENCH_ACCOUNTS, 10_000, 'accounts');
const batchSize = positiveInt(values.batch ?? process.env.BENCH_BATCH, 250, 'batch');
const rounds = positiveInt(values.rounds ?? process.env.BENCH_ROUNDS, 1, 'rounds');
if (accounts < 2) throw new Error('accounts must be at least 2');
const poolArg = values.pool ?? process.env.BENCH_HTTP_POOL;
const inFlightArg = values['in-flight'] ?? process.env.BENCH_HTTP_IN_FLIGHT;
const http: HttpSettings = {
  windowMs: nonNegative(values.window ?? process.env.BENCH_HTTP_WINDOW_MS, 2, 'window'),
  batchMax: positiveInt(values['batch-max'] ?? process.env.BENCH_HTTP_BATCH_MAX, 256, 'batch-max'),
  batchesInFlight: inFlightArg ? positiveInt(inFlightArg, 3, 'in-flight') : undefined,
  warmupSeconds: Math.round(nonNegative(values.warmup ?? process.env.BENCH_HTTP_WARMUP, 6, 'warmup')),
  poolSize: poolArg ? positiveInt(poolArg, 20, 'pool') : undefined,
  fraudRulesJson: values['fraud-rules'] ?? process.env.BENCH_FRAUD_RULES_JSON ?? undefined,
};
if (http.windowMs <= 0) throw new Error('window must be > 0 (the nobatch runs are the batcher off)');
const profileDir = values.profile ?? process.env.BENCH_PROFILE;
const traceSql =
  values['trace-sql'] === true || ['1', 'true', 'yes'].includes(process.env.BENCH_TRACE_SQL ?? '');
const only = (values.only ?? process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only.filter((o) => !registry.some((r) => r.group === o || matches(o, r.name)));
if (unknown.length) {
  console.error(`unknown run or group: ${unknown.join(', ')}`);
  process.exit(2);
}
const selected = registry.filter((r) =>
  only.length === 0 ? !quick || r.quick : only.some((o) => o === r.group || matches(o, r.name)),
);

const log = (msg: string) => console.error(`[bench] ${msg}`);
const abort = new AbortController();
let interruptedAt = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // Ctrl-C reaches this process more than once (the terminal signals the whole process group,
    // and tsx relays it again): only a signal well after the first one forces an exit.
    if (interruptedAt === 0) {
      interruptedAt = Date.now();
      log(`${sig}: stopping the current run and cleaning up (press again after 2 s to quit at once)`);
      abort.abort();
    } else if (Date.now() - interruptedAt > 2000) {
      process.exit(130);
    }
  });
}

async function main(): Promise<number> {
  let server: BenchServer | undefined;
  let dbs: DatabaseFactory | undefined;
  let failed = false;
  try {
    server = await openServer(log);
    dbs = new DatabaseFactory(server.adminUrl);
    const facts = await serverFacts(server.adminUrl);
    const cpus = os.cpus();
    const durable = facts.settings.fsync === 'on' && facts.settings.synchronous_commit !== 'off';
    console.log(`corebank benchmark, ${new Date().toISOString()}`);
    console.log(
      `machine:    ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`,
    );
    console.log(
      `PostgreSQL: ${facts.version} (${server.embedded ? 'embedded, throwaway' : 'DATABASE_URL'}); pgbench: ${(await pgbenchVersion()) ?? 'not found'}`,
    );
    console.log(
      `settings:   ${Object.entries(facts.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} -> ${durable ? 'durable commits' : 'NOT durable commits: figures are not comparable'}`,
    );
    console.log(
      `workload:   ${seconds} s per run${rounds > 1 ? `, ${rounds} rounds` : ''}, ${accounts} accounts, uniform; ledger batches of ${batchSize} transfers`,
    );
    if (selected.some((r) => r.group === 'http')) {
      console.log(
        `http:       corebank serve in its own process, autocannon in this one; batcher window ${http.windowMs} ms, max ${http.batchMax}, ${http.batchesInFlight ?? 'default'} in flight; ` +
          `${http.warmupSeconds} s warm-up; server pool ${http.poolSize ?? 'as many as connections'}; load average now ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}`,
      );
    }
    console.log('');
    if (profileDir) await mkdir(profileDir, { recursive: true });

    const ctx: RunContext = {
      adminUrl: server.adminUrl,
      seconds,
      accounts,
      batchSize,
      freeConnections: facts.freeConnections,
      createDatabase: (prefix, opts) => (dbs as DatabaseFactory).create(prefix, opts),
      http,
      profileDir: profileDir ? path.resolve(profileDir) : undefined,
      traceSql,
      log,
      signal: abort.signal,
    };

    const roundRows: RoundRow[] = [];
    const runDetails: Record<string, Record<string, string | number>> = {};
    const failedChecks: { run: string; check: RunCheck }[] = [];
    const notes: string[] = [];
    for (let n = 1; n <= rounds; n++) {
      const label = (name: string) => (rounds > 1 ? `${name} (round ${n}/${rounds})` : name);
      for (const def of selected) {
        if (abort.signal.aborted) break;
        const reason = await def.unavailable?.(ctx);
        if (reason) {
          if (n === 1) {
            log(`${def.name}: skipped: ${reason}`);
            notes.push(`${def.name}: skipped: ${reason}`);
          }
          continue;
        }
        log(`${label(def.name)}: ${def.clients} clients for ${seconds} s …`);
        try {
          ctx.freeConnections = (await serverFacts(server.adminUrl)).freeConnections;
          const out = await def.run(ctx);
          const { p50, p99 } = summarize(out.latenciesMs);
          const tps =
            out.transfersPerSec ?? (out.elapsedSeconds > 0 ? out.transfers / out.elapsedSeconds : 0);
          roundRows.push({
            round: n,
            name: def.name,
            clients: def.clients,
            transfersPerSec: tps,
            p50Ms: p50,
            p99Ms: p99,
            errors: out.errors,
          });
          // The last round's details (latest.json keeps one set per run).
          runDetails[def.name] = out.details ?? {};
          const details = Object.entries(out.details ?? {}).map(([k, v]) => `${k} ${v}`);
          log(
            `${label(def.name)}: ${round(tps, 0)} transfers/s in ${round(out.elapsedSeconds, 1)} s; ${details.join(', ')}`,
          );
          for (const check of out.checks) {
            log(`${label(def.name)}: check ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
            if (!check.ok) failedChecks.push({ run: label(def.name), check });
          }
        } catch (err) {
          failed = true;
          log(`${label(def.name)}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
          notes.push(`${label(def.name)}: failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }

    // Ratios: each run against the pgbench baseline at its baselineClients, within each round.
    const baselineOf = (name: string) => {
      const def = selected.find((d) => d.name === name);
      if (!def || def.baselineClients === null) return null;
      return selected.find((d) => d.baseline && d.clients === def.baselineClients)?.name ?? null;
    };
    const rows: PrintedRow[] = combineRounds(roundRows, baselineOf).map((c) => ({
      name: c.name,
      clients: c.clients,
      transfersPerSec: round(c.transfersPerSec, 1),
      p50Ms: round(c.p50Ms, 3),
      p99Ms: round(c.p99Ms, 3),
      errors: c.errors,
      ratioToBaseline: c.ratioToBaseline === null ? null : round(c.ratioToBaseline, 2),
      latencyUnit: selected.find((d) => d.name === c.name)!.latencyUnit,
      baselineName: c.baselineName,
      ...(rounds > 1
        ? {
            rounds: c.rounds,
            transfersPerSecMin: round(c.transfersPerSecMin, 1),
            transfersPerSecMax: round(c.transfersPerSecMax, 1),
          }
        : {}),
    }));

    console.log(table(rows));
    console.log(
      '\ntransfers/s: transfers that took effect per second. p50/p99: latency of one pgbench transaction' +
        ' (one transfer), of one ledger batch (one createTransfers call, all its transfers) or of one HTTP' +
        ' request (POST /api/v1/transfers, one transfer), as the "latency of" column says. errors: HTTP runs count' +
        ' replies other than 201 and 422 INSUFFICIENT_FUNDS, socket errors and timeouts. vs baseline: transfers/s' +
        ' over the pgbench run named (ledger runs: pgbench at 16 clients; HTTP runs: pgbench at the same connection count).' +
        (rounds > 1
          ? ` ${rounds} rounds: medians over the rounds; range: the lowest and highest transfers/s (rounds completed);` +
            ' vs baseline: the median of the ratios within each round.'
          : ''),
    );
    for (const n of notes) console.log(`note: ${n}`);
    if (failedChecks.length) {
      failed = true;
      for (const { run, check } of failedChecks)
        console.log(`CHECK FAILED in ${run}: ${check.name}: ${check.detail}`);
    } else if (rows.length) {
      console.log('money conserved after every run.');
    }

    if (abort.signal.aborted) {
      console.log(`interrupted: ${path.relative(process.cwd(), RESULTS)} left as it was`);
    } else {
      await writeResults(RESULTS, rows, {
        date: new Date().toISOString(),
        seconds,
        accounts,
        batchSize,
        quick,
        rounds,
        http,
        loadAverage: os.loadavg(),
        cores: cpus.length,
        postgres: facts.version,
        embedded: server.embedded,
        settings: facts.settings,
        latencyUnits: Object.fromEntries(rows.map((r) => [r.name, r.latencyUnit])),
        baselines: Object.fromEntries(
          rows.filter((r) => r.baselineName).map((r) => [r.name, r.baselineName]),
        ),
        details: runDetails,
      });
      console.log(`results: ${path.relative(process.cwd(), RESULTS)}`);
    }
    return failed || abort.signal.aborted ? 1 : 0;
  } finally {
    await dbs?.dropAll();
    await server?.stop().catch((err: unknown) => log(`could not stop the embedded server: ${String(err)}`));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
