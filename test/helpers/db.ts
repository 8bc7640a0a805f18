// A fresh, migrated database for one test file: cloned from the run's template database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../src/platform/db/embedded.js';
import { createPool, type Pool } from '../../src/platform/db/pool.js';

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('adminUrl') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(opts: { poolMax?: number } = {}): Promise<TestDatabase> {
  const name = `${inject('templateDb')}_${randomBytes(5).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(`create database "${name}" template "${inject('templateDb')}"`);
      break;
    } catch (err) {
      // Two clones of the same template at the same instant: PostgreSQL asks us to wait.
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  const url = withDatabase(inject('adminUrl'), name);
  const pool = createPool({ connectionString: url, max: opts.poolMax ?? 20 });
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await admin(`drop database if exists "${name}" with (force)`);
    },
  };
}
