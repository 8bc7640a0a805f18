// Resolves which PostgreSQL corebank talks to: DATABASE_URL when set; otherwise the embedded
// server that a running `corebank serve` owns in the data dir; otherwise a new embedded server.
import type { Config } from '../config.js';
import { findRunningEmbedded, startEmbedded, withDatabase } from './embedded.js';
import pg from 'pg';

export interface DatabaseTarget {
  url: string;
  /** Stops the embedded server if this process started it. */
  close(): Promise<void>;
  embedded: boolean;
}

const APP_DATABASE = 'corebank';

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently
  } finally {
    await client.end();
  }
}

export async function resolveDatabase(
  config: Config,
  opts: { startIfMissing: boolean; onLog?: (line: string) => void },
): Promise<DatabaseTarget> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, close: async () => undefined, embedded: false };
  const running = await findRunningEmbedded(config.COREBANK_DATA_DIR, APP_DATABASE);
  if (running) return { url: running, close: async () => undefined, embedded: true };
  if (!opts.startIfMissing) {
    throw new Error(
      `No DATABASE_URL is set and no corebank server is running on ${config.COREBANK_DATA_DIR}; start one with \`npm start\`.`,
    );
  }
  const server = await startEmbedded({
    dataDir: config.COREBANK_DATA_DIR,
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
  });
  await ensureDatabase(server.url, APP_DATABASE);
  return { url: withDatabase(server.url, APP_DATABASE), close: () => server.stop(), embedded: true };
}
