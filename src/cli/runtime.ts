// Shared set-up for CLI commands: configuration, a logger, the database (DATABASE_URL, the
// running server's embedded database, or a new embedded one) and a migrated pool.
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../platform/config.js';
import { resolveDatabase, type DatabaseTarget } from '../platform/db/connect.js';
import { migrate } from '../platform/db/migrate.js';
import { createPool, type Pool } from '../platform/db/pool.js';
import { createLogger } from '../platform/log.js';
import { createMetrics } from '../platform/metrics.js';
import type { AppContext } from '../context.js';

export interface Runtime {
  config: Config;
  log: Logger;
  db: DatabaseTarget;
  pool: Pool;
  ctx: AppContext;
  close(): Promise<void>;
}

export async function openRuntime(opts: {
  startDatabase: boolean;
  migrate: boolean;
  logLevel?: string;
}): Promise<Runtime> {
  const config = loadConfig();
  const log = createLogger(opts.logLevel ?? config.LOG_LEVEL);
  const db = await resolveDatabase(config, {
    startIfMissing: opts.startDatabase,
    onLog: (line) => log.debug({ component: 'postgres' }, line),
  });
  const pool = createPool({ connectionString: db.url, max: config.DB_POOL_MAX, log });
  try {
    if (opts.migrate) await migrate(pool, (m) => log.info(m));
  } catch (err) {
    await pool.end();
    await db.close();
    throw err;
  }
  const ctx: AppContext = { config, pool, log, metrics: createMetrics({ defaultMetrics: true }) };
  return {
    config,
    log,
    db,
    pool,
    ctx,
    async close() {
      await pool.end();
      await db.close();
    },
  };
}
