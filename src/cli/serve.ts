// `corebank serve`: migrate, build the app, listen, run background jobs, stop cleanly on
// SIGINT/SIGTERM (the embedded PostgreSQL is stopped too).
import { buildApp } from '../app.js';
import { startBackgroundJobs } from '../jobs.js';
import { openRuntime } from './runtime.js';
import { printDemoLogins, seedDemoData } from '../seed/demo.js';

export async function serve(): Promise<void> {
  const rt = await openRuntime({ startDatabase: true, migrate: true });
  const { config, log } = rt;
  const demo = config.NODE_ENV !== 'production' && config.SEED_DEMO_DATA !== false;
  if (demo && (await seedDemoData(rt.ctx))) log.info('created the demo users, customers and accounts');
  const app = await buildApp({ ctx: rt.ctx });
  const jobs = startBackgroundJobs(rt.ctx);
  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await jobs.stop();
    await app.close();
    await rt.close();
    log.info('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    const address = await app.listen({ port: config.PORT, host: config.HOST });
    const url = address.replace('[::1]', 'localhost');
    console.log(`\ncorebank is running at ${url}`);
    console.log(`  API docs:  ${url}/docs`);
    console.log(
      `  Database:  ${rt.db.embedded ? `embedded PostgreSQL in ${config.COREBANK_DATA_DIR}` : 'DATABASE_URL'}`,
    );
    if (demo) printDemoLogins();
    console.log('Press Ctrl-C to stop.\n');
  } catch (err) {
    log.error({ err }, 'failed to start');
    await stop('startup-failure', 1);
  }
}
