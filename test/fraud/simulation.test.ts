// `corebank fraud simulate`: the synthetic population is deterministic for a seed and carries
// every fraud pattern; a small one runs through the real screening path on PostgreSQL, the
// database agrees with the report (alerts, holds), the same seed gives the same report, and the
// ledger still reconciles.
import { afterAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.js';
import type { AppContext } from '../../src/context.js';
import { resolveRules } from '../../src/modules/fraud/rules.js';
import {
  fraudPatterns,
  generatePopulation,
  runSimulation,
  type SimOptions,
  type SimReport,
} from '../../src/modules/fraud/simulation.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/log.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const small: SimOptions = { seed: 3, customers: 40, days: 20, fraudRate: 0.3, merchants: 15, mules: 10 };
const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

describe('the synthetic population', () => {
  it('is the same for the same seed, different for another, and injects every pattern', () => {
    const opts = { ...small, customers: 120, days: 30 };
    const a = generatePopulation(opts);
    const b = generatePopulation(opts);
    const c = generatePopulation({ ...opts, seed: 4 });
    const shape = (p: typeof a) => p.events.map((e) => [e.at, e.customer, e.amount, e.ip, e.fraud]);
    expect(shape(b)).toEqual(shape(a));
    expect(shape(c)).not.toEqual(shape(a));
    expect(new Set(a.events.map((e) => e.fraud).filter(Boolean))).toEqual(new Set(fraudPatterns));
    expect(a.events.every((e, i) => i === 0 || a.events[i - 1]!.at <= e.at)).toBe(true);
    // Fraud comes after a history to compare it with.
    const start = Math.min(...a.events.map((e) => e.at));
    for (const e of a.events.filter((x) => x.fraud)) expect(e.at - start).toBeGreaterThan(14 * 86_400_000);
  });
});

async function simulate(): Promise<{ report: SimReport; db: TestDatabase }> {
  const db = await createTestDatabase();
  dbs.push(db);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url });
  const ctx: AppContext = { config, pool: db.pool, log: createLogger('silent'), metrics: createMetrics() };
  const report = await runSimulation(
    ctx,
    small,
    { rules: resolveRules(''), holdTimeoutSeconds: 86_400 },
    { batch: 50 },
  );
  return { report, db };
}

describe('a simulation on PostgreSQL', () => {
  it('screens every movement with the real engine; the database agrees with the report; same seed, same report', async () => {
    const { report, db } = await simulate();
    expect(report.refused).toBe(0);
    expect(report.legit + report.fraud).toBe(report.movements);
    expect(report.fraud).toBeGreaterThan(0);
    for (const x of [report.alert, report.held]) {
      for (const v of [x.precision, x.recall, x.legitShare]) expect(v).toBeGreaterThanOrEqual(0);
      for (const v of [x.precision, x.recall, x.legitShare]) expect(v).toBeLessThanOrEqual(1);
    }
    const both = (k: keyof SimReport['recommendations']['legit']) =>
      report.recommendations.legit[k] + report.recommendations.fraud[k];
    const held = both('BLOCK_PENDING_REVIEW') + both('BLOCK_AND_ALERT');
    const { rows } = await db.pool.query<{ alerts: number; held: number; screened: number }>(
      `select (select count(*)::int from fraud_alerts) as alerts,
              (select count(*)::int from transactions where status = 'PENDING_REVIEW') as held,
              (select count(*)::int from transactions where risk is not null) as screened`,
    );
    expect(rows[0]).toEqual({ alerts: both('FLAG_FOR_REVIEW') + held, held, screened: report.movements });
    expect(await runVerify(db.pool, () => undefined)).toBe(true);

    const again = await simulate();
    expect({ ...again.report, seconds: 0 }).toEqual({ ...report, seconds: 0 });
  });
});
