// What every module is built from: configuration, the database pool, a logger and metrics.
// Services are created once per process from this context (see services.ts).
import type { Logger } from 'pino';
import type { Config } from './platform/config.js';
import type { Pool } from './platform/db/pool.js';
import type { Metrics } from './platform/metrics.js';

export interface AppContext {
  config: Config;
  pool: Pool;
  log: Logger;
  metrics: Metrics;
}
