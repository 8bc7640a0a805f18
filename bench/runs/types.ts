// The contract between bench/run.ts and each benchmark run. A run is a small module: given the
// server and the run's settings, it does its work for about `seconds`, checks that money was
// conserved, and returns what it measured. The orchestrator turns that into a table row and a
// bench/results/latest.json entry.

/** A fresh database on the benchmark's server; dropped by the orchestrator at the end. */
export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export interface RunContext {
  /** URL of the server's maintenance database (postgres): for admin work only. */
  adminUrl: string;
  /** Target duration of the measured phase. */
  seconds: number;
  /** Number of customer accounts transfers are spread over (uniform). */
  accounts: number;
  /** Transfers per batch, for runs that post batches. */
  batchSize: number;
  /** Connections the server can still accept (max_connections minus those in use and reserved). */
  freeConnections: number;
  /**
   * Creates a fresh database on the server (prefix is sanitised, a suffix is added): empty, or a
   * copy of `template` (another database of the run's, with no connections open to it).
   */
  createDatabase(prefix: string, opts?: { template?: string }): Promise<BenchDatabase>;
  /** The HTTP runs' settings. */
  http: HttpSettings;
  /** Set: the HTTP runs write a CPU profile of the server here (node --cpu-prof) and summarise it. */
  profileDir?: string | undefined;
  /** Set: the HTTP runs time every SQL statement the server sends and print the totals. */
  traceSql?: boolean;
  /** Progress lines (stderr). */
  log(msg: string): void;
  /** Aborted on Ctrl-C: stop early, clean up, return or throw. */
  signal: AbortSignal;
}

export interface HttpSettings {
  /** MOVEMENT_BATCH_WINDOW_MS of the runs with the batcher on. */
  windowMs: number;
  /** MOVEMENT_BATCH_MAX. */
  batchMax: number;
  /** MOVEMENT_BATCHES_IN_FLIGHT; default: unset (the server's default). */
  batchesInFlight?: number | undefined;
  /** Unmeasured load before the measured phase. */
  warmupSeconds: number;
  /** DB_POOL_MAX of the server; default: the connection count. */
  poolSize?: number | undefined;
  /** FRAUD_RULES_JSON of the server; default: unset (the product's rules). */
  fraudRulesJson?: string | undefined;
}

export interface RunCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface RunOutput {
  /** Transfers that took effect (committed), over the measured phase. */
  transfers: number;
  /** One latency per unit of work: per transaction, per batch or per request (see latencyUnit). */
  latenciesMs: number[];
  /** Work that failed unexpectedly (thrown errors, aborted clients, unexpected result codes). */
  errors: number;
  /** Wall-clock length of the measured phase. */
  elapsedSeconds: number;
  /** When the tool measures throughput itself (pgbench's tps), its figure; else transfers / elapsedSeconds. */
  transfersPerSec?: number;
  /** Money conservation and other post-run checks; any failure makes `npm run bench` exit non-zero. */
  checks: RunCheck[];
  /** Extra facts printed under the table (pool size, outcome counts …). */
  details?: Record<string, string | number>;
}

export type LatencyUnit = 'transaction' | 'batch' | 'request';

export interface RunDefinition {
  /** Unique: used in the table, the JSON and --only. */
  name: string;
  /** Family, selectable with --only (pgbench, ledger, http …). */
  group: string;
  /** Concurrent clients, workers or connections. */
  clients: number;
  latencyUnit: LatencyUnit;
  /** True for the pgbench baseline runs the others are compared to. */
  baseline?: boolean;
  /** The client count of the pgbench baseline this run is compared with (null: none). */
  baselineClients: number | null;
  /** Part of `--quick` (a shorter benchmark with fewer runs). */
  quick?: boolean;
  /** Returns why the run cannot happen here (e.g. pgbench missing), or null. */
  unavailable?(ctx: RunContext): Promise<string | null>;
  run(ctx: RunContext): Promise<RunOutput>;
}
