// Forward-only SQL migrations. Each domain module owns its files in
// src/modules/<domain>/migrations/NNNN_name.sql; the platform's live in
// src/platform/db/migrations. All are applied in the order of their numbers, each in its own
// transaction, under an advisory lock so concurrent starts do not race, and recorded.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { projectRoot } from '../paths.js';

export interface Migration {
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.sql$/;

async function sqlFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => MIGRATION_FILE.test(n)).map((n) => path.join(dir, n));
}

export async function loadMigrations(root = projectRoot): Promise<Migration[]> {
  const src = path.join(root, 'src');
  const modules = await readdir(path.join(src, 'modules')).catch(() => [] as string[]);
  const dirs = [
    path.join(src, 'platform/db/migrations'),
    ...modules.map((m) => path.join(src, 'modules', m, 'migrations')),
  ];
  const files = (await Promise.all(dirs.map(sqlFilesIn))).flat();
  const migrations = await Promise.all(
    files.map(async (file) => {
      const sql = await readFile(file, 'utf8');
      return {
        name: path.basename(file, '.sql'),
        file,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
  migrations.sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Set<string>();
  for (const m of migrations) {
    const n = m.name.slice(0, 4);
    if (seen.has(n)) throw new Error(`Two migrations share the number ${n}: ${m.file}`);
    seen.add(n);
  }
  return migrations;
}

const LOCK_KEY = 7_311_000_001; // arbitrary, constant: serialises migrators

export async function migrate(
  pool: pg.Pool,
  log: (msg: string) => void = () => undefined,
): Promise<string[]> {
  const migrations = await loadMigrations();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create table if not exists schema_migrations (
      name text primary key, checksum text not null, applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'select name, checksum from schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const m of migrations) {
      const prior = done.get(m.name);
      if (prior !== undefined) {
        if (prior !== m.checksum) throw new Error(`Migration ${m.name} was changed after it was applied`);
        continue;
      }
      await client.query('begin');
      try {
        await client.query(m.sql);
        await client.query('insert into schema_migrations (name, checksum) values ($1, $2)', [
          m.name,
          m.checksum,
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`Migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.name);
      log(`applied migration ${m.name}`);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}
