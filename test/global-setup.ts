// Once per `npm test`: find a PostgreSQL server (DATABASE_URL's, or a throwaway embedded one),
// build a migrated template database, and hand both to the test files, which each clone the
// template into a database of their own (test/helpers/db.ts).
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded, withDatabase, type EmbeddedServer } from '../src/platform/db/embedded.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createPool } from '../src/platform/db/pool.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}

async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: EmbeddedServer | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'corebank-test-'));
    await chmod(dir, 0o755); // as root, the cluster runs as the OS user postgres
    server = await startEmbedded({ dataDir: path.join(dir, 'data'), ephemeral: true, fast: true });
    adminUrl = server.url;
  }
  const templateDb = `cbt_${process.pid}_${Date.now().toString(36)}`;
  await adminQuery(adminUrl, `create database ${templateDb}`);
  const pool = createPool({ connectionString: withDatabase(adminUrl, templateDb), max: 2 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    const { rows } = await adminQuery(
      adminUrl,
      `select datname from pg_database where datname like '${templateDb}%' order by datname desc`,
    );
    for (const { datname } of rows as { datname: string }[]) {
      await adminQuery(adminUrl, `drop database if exists "${datname}" with (force)`).catch(() => undefined);
    }
    await server?.stop();
  };
}
