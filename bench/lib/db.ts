// Admin-side helpers: one-shot queries on the maintenance database, fresh databases for runs,
// and the server facts the report prints.
import pg from 'pg';
import type { BenchDatabase } from '../runs/types.js';

export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates fresh databases named <prefix>_<pid>_<n> and remembers them so they can all be dropped. */
export class DatabaseFactory {
  private readonly live = new Set<string>();
  private counter = 0;

  constructor(private readonly adminUrl: string) {}

  /** An empty database, or a copy of `template` (one of ours, with no connections to it). */
  async create(prefix: string, opts: { template?: string } = {}): Promise<BenchDatabase> {
    const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    const name = `${safe}_${process.pid}_${++this.counter}`;
    if (opts.template !== undefined && !this.live.has(opts.template)) {
      throw new Error(`${opts.template} is not one of the benchmark's databases`);
    }
    await adminQuery(
      this.adminUrl,
      opts.template === undefined
        ? `create database "${name}"`
        : `create database "${name}" template "${opts.template}"`,
    );
    this.live.add(name);
    return { name, url: withDatabase(this.adminUrl, name), drop: () => this.drop(name) };
  }

  async drop(name: string): Promise<void> {
    if (!this.live.has(name)) return;
    await adminQuery(this.adminUrl, `drop database if exists "${name}" with (force)`);
    this.live.delete(name);
  }

  async dropAll(): Promise<void> {
    for (const name of [...this.live]) await this.drop(name).catch(() => undefined);
  }
}

export interface ServerFacts {
  version: string;
  settings: Record<string, string>;
  freeConnections: number;
}

const SETTINGS = [
  'fsync',
  'synchronous_commit',
  'full_page_writes',
  'wal_sync_method',
  'shared_buffers',
  'max_connections',
] as const;

export async function serverFacts(adminUrl: string): Promise<ServerFacts> {
  const rows = await adminQuery<{ name: string; setting: string }>(
    adminUrl,
    `select name, current_setting(name) as setting from unnest($1::text[]) as name`,
    [[...SETTINGS, 'server_version', 'superuser_reserved_connections']],
  );
  const all = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  const [{ used } = { used: '0' }] = await adminQuery<{ used: string }>(
    adminUrl,
    `select count(*)::text as used from pg_stat_activity where backend_type = 'client backend'`,
  );
  const settings: Record<string, string> = {};
  for (const s of SETTINGS) settings[s] = all[s] ?? '?';
  const free =
    Number(all.max_connections ?? 100) - Number(all.superuser_reserved_connections ?? 3) - Number(used);
  return { version: all.server_version ?? '?', settings, freeConnections: free };
}
