// Builds the real application on a fresh test database, for app.inject() or a real port.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { AppContext } from '../../src/context.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/log.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config: Config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url, ...env });
  const ctx: AppContext = {
    config,
    pool: db.pool,
    log: createLogger(config.LOG_LEVEL),
    metrics: createMetrics(),
  };
  const app = await buildApp({ ctx });
  await app.ready();
  return {
    app,
    ctx,
    db,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
