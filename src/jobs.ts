// Periodic background jobs that run inside `serve`. Each job is a plain async function over the
// context; a failing run is logged and tried again at the next tick, never crashing the process.
import type { AppContext } from './context.js';
import { expirePendingJob } from './modules/ledger/jobs.js';
import { paymentJobs } from './modules/payments/jobs.js';
import { fraudJobs } from './modules/fraud/jobs.js';

export interface PeriodicJob {
  name: string;
  intervalMs: number;
  run(ctx: AppContext): Promise<unknown>;
}

/** Every module's periodic jobs; the interval of each comes from config where one is set. */
export function periodicJobs(ctx: AppContext): PeriodicJob[] {
  return [
    { ...expirePendingJob, intervalMs: ctx.config.PENDING_SWEEP_INTERVAL_MS },
    ...paymentJobs,
    ...fraudJobs,
  ];
}

export function startBackgroundJobs(
  ctx: AppContext,
  jobs: PeriodicJob[] = periodicJobs(ctx),
): { stop(): Promise<void> } {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  for (const job of jobs) {
    const tick = () => {
      if (stopped) return;
      const p = job
        .run(ctx)
        .catch((err: unknown) => ctx.log.error({ err, job: job.name }, 'background job failed'))
        .finally(() => {
          running.delete(p);
          if (!stopped) timers.push(setTimeout(tick, job.intervalMs));
        });
      running.add(p);
    };
    timers.push(setTimeout(tick, 0));
  }
  return {
    async stop() {
      stopped = true;
      timers.forEach(clearTimeout);
      await Promise.allSettled([...running]);
    },
  };
}
