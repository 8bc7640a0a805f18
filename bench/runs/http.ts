// Issue 8's HTTP runs: POST /api/v1/transfers over a real port, through the whole product path
// (bearer-token authentication and session check, the access policy, the movement rate limit,
// Idempotency-Key, account ownership, the ledger, transaction records, audit and outbox — and
// whatever else the route does today), with the movement micro-batcher on or off.
//
// The server is `corebank serve` in a process of its own (bench/lib/corebank-server.ts) on a
// clone of a funded template database (bench/lib/http-fixture.ts); the load generator is
// autocannon in the benchmark's process (bench/lib/load.ts). Each request is sent by the owner
// of the account money leaves, with its own Idempotency-Key, to a random other account.
//   uniform: both accounts uniformly random;
//   hot:     80 % of requests have one of the 1 % hot accounts on one side (paying or paid, at
//            random), the other side uniform; the other 20 % are uniform.
// A run has a warm-up (not measured: JIT, pools) and then the measured phase.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_LOOP_SAMPLE_MS } from '../../src/platform/metrics.js';
import { metric, startCorebank, type CorebankServer } from '../lib/corebank-server.js';
import { runLoad, type LoadRequest } from '../lib/load.js';
import { profileClockUs, summarizeProfile } from '../lib/cpuprofile.js';
import { cloneFixture, loadFixtureModule } from '../lib/fixture-once.js';
import { describeMachineCpu, machineCpu } from '../lib/machine-cpu.js';
import { summarizeSqlTimings, type SqlTimings } from '../lib/sql-timing.js';
import { describeWrites, settledCounters, writesPerTransfer } from '../lib/writes.js';
import type { RunContext, RunDefinition, RunOutput } from './types.js';

export type Distribution = 'uniform' | 'hot';

/** Share of requests that touch a hot account, and the share of accounts that are hot. */
const HOT_TRAFFIC = 0.8;
const HOT_ACCOUNTS = 0.01;
const MAX_AMOUNT_MINOR = 1000;
const SQL_TIMING = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'sql-timing.ts');

const rand = (n: number) => Math.floor(Math.random() * n);
const pct = (n: number, total: number) => (total > 0 ? `${((100 * n) / total).toFixed(1)} %` : '-');

function formatMinor(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

interface Meta {
  from: number;
  to: number;
  amount: number;
}

interface Tally {
  /** Replies to requests with a hot account on one side. */
  hot: number;
  completed: number;
  review: number;
  insufficient: number;
  /** Unexpected replies by "status code". */
  unexpected: Map<string, number>;
  firstUnexpected: string[];
}

const newTally = (): Tally => ({
  hot: 0,
  completed: 0,
  review: 0,
  insufficient: 0,
  unexpected: new Map(),
  firstUnexpected: [],
});

function problemCode(body: string): string {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' ? code : '';
  } catch {
    return '';
  }
}

async function runHttp(
  ctx: RunContext,
  opts: { batch: boolean; distribution: Distribution; connections: number },
): Promise<RunOutput> {
  const { mod, fx, db } = await cloneFixture(ctx, 'bench_http');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'corebank-bench-serve-'));
  let server: CorebankServer | undefined;
  try {
    const tokens = await mod.bearerTokens(fx, db.url);
    const accounts = fx.accounts;
    const n = accounts.length;
    const hotCount = Math.max(1, Math.round(n * HOT_ACCOUNTS));
    // Spread over the list, so that the hot accounts belong to different customers.
    const hot = Array.from({ length: hotCount }, (_, j) => Math.floor((j * n) / hotCount));
    const isHot = new Set(hot);

    const poolSize = Math.max(2, Math.min(ctx.http.poolSize ?? opts.connections, ctx.freeConnections - 8));
    if (poolSize < (ctx.http.poolSize ?? opts.connections))
      ctx.log(`note: server pool capped at ${poolSize} (server limit)`);
    const windowMs = opts.batch ? ctx.http.windowMs : 0;
    const before = await mod.dbCounters(db.url);
    const writesBefore = await settledCounters(db.url);
    const profileDir = ctx.profileDir ? path.join(ctx.profileDir, runName(opts)) : undefined;
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    const sqlTimingFile = ctx.traceSql ? path.join(dataDir, 'sql-timing.json') : undefined;
    server = await startCorebank({
      env: {
        ...(sqlTimingFile ? { BENCH_SQL_TIMING_FILE: sqlTimingFile } : {}),
        ...fx.env,
        DATABASE_URL: db.url,
        LOG_LEVEL: 'warn',
        DB_POOL_MAX: String(poolSize),
        MOVEMENT_BATCH_WINDOW_MS: String(windowMs),
        MOVEMENT_BATCH_MAX: String(ctx.http.batchMax),
        ...(ctx.http.batchesInFlight ? { MOVEMENT_BATCHES_IN_FLIGHT: String(ctx.http.batchesInFlight) } : {}),
        COREBANK_DATA_DIR: dataDir,
        ...(ctx.http.fraudRulesJson ? { FRAUD_RULES_JSON: ctx.http.fraudRulesJson } : {}),
      },
      cpuProfileDir: profileDir,
      preload: sqlTimingFile ? [SQL_TIMING] : [],
      signal: ctx.signal,
    });

    const tag = randomBytes(4).toString('hex');
    let seq = 0;
    const pick = (): [number, number] => {
      if (opts.distribution === 'hot' && Math.random() < HOT_TRAFFIC) {
        const h = hot[rand(hot.length)] as number;
        let o = rand(n);
        while (o === h) o = rand(n);
        return Math.random() < 0.5 ? [h, o] : [o, h];
      }
      const a = rand(n);
      let b = rand(n);
      while (b === a) b = rand(n);
      return [a, b];
    };
    const next = (): LoadRequest<Meta> => {
      const [from, to] = pick();
      const amount = 1 + rand(MAX_AMOUNT_MINOR);
      const fromAccount = accounts[from] as (typeof accounts)[number];
      return {
        method: 'POST',
        path: '/api/v1/transfers',
        headers: {
          authorization: tokens[fromAccount.owner] as string,
          'content-type': 'application/json',
          'idempotency-key': `bench-${tag}-${seq++}`,
          'user-agent': 'corebank-bench',
        },
        body: JSON.stringify({
          fromAccountId: fromAccount.id,
          toAccountId: (accounts[to] as (typeof accounts)[number]).id,
          amount: formatMinor(amount),
        }),
        meta: { from, to, amount },
      };
    };

    const acked = mod.emptyAcknowledged();
    let tally = newTally();
    const onReply = (status: number, body: string, meta: Meta) => {
      if (isHot.has(meta.from) || isHot.has(meta.to)) tally.hot++;
      if (status === 201 || status === 202) {
        let id: unknown;
        try {
          id = (JSON.parse(body) as { id?: unknown }).id;
        } catch {
          id = undefined;
        }
        if (typeof id === 'string') {
          acked.transactionIds.push(id);
          acked.debitIds.push((accounts[meta.from] as (typeof accounts)[number]).id);
          acked.creditIds.push((accounts[meta.to] as (typeof accounts)[number]).id);
          acked.amounts.push(String(meta.amount));
          acked.statuses.push(status);
          if (status === 201) tally.completed++;
          else tally.review++;
          return;
        }
      }
      const code = status >= 400 ? problemCode(body) : '';
      if (status === 422 && code === 'INSUFFICIENT_FUNDS') {
        tally.insufficient++;
        return;
      }
      const key = `${status}${code ? ` ${code}` : ''}`;
      tally.unexpected.set(key, (tally.unexpected.get(key) ?? 0) + 1);
      if (tally.firstUnexpected.length < 3) tally.firstUnexpected.push(`${status} ${body.slice(0, 300)}`);
    };

    // Warm-up: the server's JIT and pools, the database's caches. Its transfers are checked too.
    const warm =
      ctx.http.warmupSeconds > 0
        ? await runLoad({
            url: server.url,
            connections: opts.connections,
            seconds: ctx.http.warmupSeconds,
            next,
            onReply,
            signal: ctx.signal,
          })
        : { elapsedSeconds: 0, socketErrors: 0, timeouts: 0 };
    if (ctx.signal.aborted) throw new Error('interrupted');
    const warmTally = tally;
    tally = newTally();

    const metricsBefore = await server.get('/metrics');
    const cpuBefore = process.cpuUsage();
    const machineBefore = machineCpu();
    const measuredFromUs = profileClockUs();
    const load = os.loadavg()[0] ?? 0;
    const measured = await runLoad({
      url: server.url,
      connections: opts.connections,
      seconds: ctx.seconds,
      next,
      onReply,
      signal: ctx.signal,
    });
    const cpu = process.cpuUsage(cpuBefore);
    const machineAfter = machineCpu();
    const measuredToUs = profileClockUs();
    const metricsAfter = await server.get('/metrics');
    if (ctx.signal.aborted) throw new Error('interrupted');
    await server.stop();
    const serverOutput = server.output();
    server = undefined;
    const writesAfter = await settledCounters(db.url);
    const after = await mod.dbCounters(db.url);

    const delta = (sample: string) => metric(metricsAfter, sample) - metric(metricsBefore, sample);
    const batches = delta('corebank_ledger_batches_total');
    const ledgerOk = delta('corebank_ledger_transfers_total{result="ok"}');
    const serverCpu = delta('corebank_process_cpu_seconds_total');
    const route = 'method="POST",route="/api/v1/transfers",status="201"';
    const serverSum = delta(`corebank_http_request_duration_seconds_sum{${route}}`);
    const serverCount = delta(`corebank_http_request_duration_seconds_count{${route}}`);
    const lagP99 = metric(metricsAfter, 'corebank_nodejs_eventloop_lag_p99_seconds');

    const unexpected = [...tally.unexpected].reduce((s, [, c]) => s + c, 0);
    const errors = unexpected + measured.socketErrors + measured.timeouts;
    const warmErrors =
      [...warmTally.unexpected].reduce((s, [, c]) => s + c, 0) + warm.socketErrors + warm.timeouts;
    for (const line of [...warmTally.firstUnexpected, ...tally.firstUnexpected].slice(0, 3)) {
      ctx.log(`unexpected reply: ${line}`);
    }
    const serverErrors = serverOutput.split('\n').filter((l) => /"level":(50|60)/.test(l)).length;
    if (serverErrors > 0)
      ctx.log(
        `server logged ${serverErrors} errors; last: ${serverOutput.trim().split('\n').slice(-1)[0] ?? ''}`,
      );

    const inFlightBound = 2 * opts.connections + warm.timeouts + measured.timeouts + warmErrors + errors;
    const { checks, details } = await mod.checkRun(db.url, fx, acked, inFlightBound);
    const commits = after.commits - before.commits;
    const elapsed = measured.elapsedSeconds;

    if (sqlTimingFile) {
      const timings = JSON.parse(await readFile(sqlTimingFile, 'utf8')) as SqlTimings;
      ctx.log(
        `server SQL time by statement (warm-up and measured phase; client-side: round trip, lock waits, commit flush):\n  ${summarizeSqlTimings(timings, 20).join('\n  ')}`,
      );
    }

    let profile: Record<string, string> = {};
    if (profileDir) {
      const file = await largestFile(profileDir);
      const summary = file
        ? await summarizeProfile(file, { fromUs: measuredFromUs, toUs: measuredToUs }).catch(
            (err: unknown) => [`unreadable: ${String(err)}`],
          )
        : ['no profile written'];
      ctx.log(`server CPU profile ${file ?? profileDir}, measured phase:\n  ${summary.join('\n  ')}`);
      profile = { 'cpu profile': file ?? '-' };
    }

    return {
      transfers: tally.completed,
      latenciesMs: measured.latenciesMs,
      errors,
      elapsedSeconds: elapsed,
      checks,
      details: {
        requests: measured.latenciesMs.length,
        'completed (201)': tally.completed,
        ...(tally.review ? { 'accepted for review (202)': tally.review } : {}),
        'refused: insufficient funds (422)': tally.insufficient,
        ...Object.fromEntries([...tally.unexpected].map(([k, c]) => [`unexpected ${k}`, c])),
        'socket errors': measured.socketErrors,
        timeouts: measured.timeouts,
        'batcher window ms': windowMs,
        'ledger batches': batches,
        'transfers per ledger batch': batches > 0 ? (ledgerOk / batches).toFixed(1) : '-',
        'db transactions per acknowledged transfer': (
          commits / Math.max(1, acked.transactionIds.length)
        ).toFixed(2),
        'server pool': poolSize,
        'server CPU': `${((100 * serverCpu) / elapsed).toFixed(0)} % of a core, ${((1000 * serverCpu) / Math.max(1, measured.latenciesMs.length)).toFixed(2)} ms per request`,
        'machine CPU': describeMachineCpu(
          machineBefore,
          machineAfter,
          os.cpus().length,
          measured.latenciesMs.length,
        ),
        'load generator CPU': `${((100 * (cpu.user + cpu.system)) / 1e6 / elapsed).toFixed(0)} % of a core`,
        'server time per 201 (mean)':
          serverCount > 0 ? `${((1000 * serverSum) / serverCount).toFixed(2)} ms` : '-',
        // Over the measured phase (prom-client empties the histogram at each scrape). Its values
        // are the time between samples, EVENT_LOOP_SAMPLE_MS apart, so the delay is a value less
        // that interval: an idle server shows 0 here, not 10 ms.
        'server event-loop delay p99': `${Math.max(0, lagP99 * 1000 - EVENT_LOOP_SAMPLE_MS).toFixed(1)} ms`,
        ...(opts.distribution === 'hot'
          ? {
              'hot accounts': `${hotCount} of ${n}, on one side of ${pct(tally.hot, measured.latenciesMs.length)} of the requests`,
            }
          : {}),
        'load average at start': load.toFixed(2),
        'warm-up': `${warm.elapsedSeconds.toFixed(1)} s, ${warmTally.completed} completed, ${warmErrors} errors`,
        deadlocks: after.deadlocks - before.deadlocks,
        // Warm-up and measured phase: the statistics are read with the server stopped.
        'written per transfer': describeWrites(
          writesPerTransfer(writesBefore, writesAfter, 'ledger_transfers'),
        ),
        ...details,
        ...profile,
      },
    };
  } finally {
    await server?.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await db.drop().catch((err: unknown) => ctx.log(`could not drop ${db.name}: ${String(err)}`));
  }
}

/** The main thread's profile: the largest of the process's (one per thread). */
async function largestFile(dir: string): Promise<string | undefined> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  const sized = await Promise.all(
    files.map(async (f) => ({ f, size: (await stat(path.join(dir, f))).size })),
  );
  const best = sized.sort((a, b) => b.size - a.size)[0];
  return best && path.join(dir, best.f);
}

const runName = (o: { batch: boolean; distribution: Distribution; connections: number }) =>
  `http-${o.batch ? 'batch' : 'nobatch'}-${o.distribution}-${o.connections}`;

export function httpRun(batch: boolean, distribution: Distribution, connections: number): RunDefinition {
  return {
    name: runName({ batch, distribution, connections }),
    group: 'http',
    clients: connections,
    latencyUnit: 'request',
    baselineClients: connections,
    quick: connections === 64 && !(distribution === 'hot' && !batch),
    async unavailable() {
      const mod = await loadFixtureModule();
      return typeof mod === 'string' ? mod : null;
    },
    run: (ctx) => runHttp(ctx, { batch, distribution, connections }),
  };
}
