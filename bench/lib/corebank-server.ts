// The real server in a process of its own: `corebank serve` (src/bin/corebank.ts, run with
// `node --import tsx`, as `npm start` does minus the portal build), configured through its
// environment like a deployment. The benchmark's load generator runs in the benchmark process,
// so the server's event loop serves requests and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRY = path.join(root, 'src', 'bin', 'corebank.ts');
const OUTPUT_KEPT = 64 * 1024;

export interface CorebankServer {
  url: string;
  pid: number;
  /** The server's stdout and stderr (the last 64 KiB). */
  output(): string;
  /** GET <url><path>, as text. */
  get(pathname: string): Promise<string>;
  /** SIGTERM and wait for the graceful shutdown (in-flight requests finish); SIGKILL after 30 s. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startCorebank(opts: {
  /** The whole environment of the server (nothing is inherited but PATH, HOME, TMPDIR, LANG and PGOPTIONS, which can load auto_explain). */
  env: Record<string, string>;
  /**
   * Write V8 CPU profiles of the server to this directory (node --cpu-prof): one per thread, the
   * main thread's being the largest (tsx's module loader runs in a thread of its own).
   */
  cpuProfileDir?: string | undefined;
  /** Modules to load first (node --import), after tsx: e.g. bench/lib/sql-timing.ts. */
  preload?: string[];
  signal?: AbortSignal;
  readyTimeoutMs?: number;
}): Promise<CorebankServer> {
  const port = await freePort();
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR', 'LANG', 'PGOPTIONS']
      .map((k) => [k, process.env[k]] as const)
      .filter((e): e is readonly [string, string] => e[1] !== undefined),
  );
  const env = { ...inherited, ...opts.env, HOST: '127.0.0.1', PORT: String(port) };
  const args = [
    ...(opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : []),
    '--import',
    'tsx',
    ...(opts.preload ?? []).flatMap((m) => ['--import', pathToFileURL(m).href]),
    ENTRY,
    'serve',
  ];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > OUTPUT_KEPT * 2) output = output.slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const gone = exited(child);
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(killer);
  };

  // Ready when /health/ready answers 200 (the database answers), or fail with the server's output.
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  let dead = false;
  void gone.then(() => (dead = true));
  for (;;) {
    if (dead)
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}): ${output.slice(-2000)}`);
    if (opts.signal?.aborted || Date.now() > deadline) {
      await stop();
      throw new Error(
        opts.signal?.aborted ? 'interrupted' : `the server was not ready in time: ${output.slice(-2000)}`,
      );
    }
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }

  return {
    url,
    pid: child.pid ?? 0,
    output: () => output.slice(-OUTPUT_KEPT),
    async get(pathname) {
      const res = await fetch(`${url}${pathname}`, { signal: AbortSignal.timeout(10_000) });
      return res.text();
    },
    stop,
  };
}

/** The value of one Prometheus sample (`name` or `name{labels}`) in a /metrics text, or 0. */
export function metric(text: string, sample: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(sample) && line[sample.length] === ' ') return Number(line.slice(sample.length + 1));
  }
  return 0;
}
