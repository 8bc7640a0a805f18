// The funded fixture of the runs on corebank's own schema (the HTTP runs and pgbench-product):
// built once per `npm run bench` in a template database (bench/lib/http-fixture.ts) and cloned
// by each run. The fixture module imports src/ and is loaded at run time, so that a product that
// does not load fails these runs alone, not the pgbench baseline.
import type { BenchDatabase, RunContext } from '../runs/types.js';

export type FixtureModule = typeof import('./http-fixture.js');
export type Fixture = import('./http-fixture.js').Fixture;

export async function loadFixtureModule(): Promise<FixtureModule | string> {
  try {
    return await import('./http-fixture.js');
  } catch (err) {
    return `the product does not load: ${err instanceof Error ? err.message : String(err)}`;
  }
}

let fixture: { key: string; promise: Promise<Fixture> } | undefined;

/** The invocation's fixture for this server and account count, built on first use. */
function fixtureFor(mod: FixtureModule, ctx: RunContext): Promise<Fixture> {
  const key = `${ctx.adminUrl} ${ctx.accounts}`;
  if (!fixture || fixture.key !== key) {
    const promise = mod.buildFixture({
      createDatabase: (prefix) => ctx.createDatabase(prefix),
      accounts: ctx.accounts,
      log: ctx.log,
      signal: ctx.signal,
    });
    fixture = { key, promise };
    promise.catch(() => (fixture = undefined)); // a failed set-up is tried again by the next run
  }
  return fixture.promise;
}

/** A fresh clone of the invocation's fixture for one run (dropped by the run), and the fixture module. */
export async function cloneFixture(
  ctx: RunContext,
  prefix: string,
): Promise<{ mod: FixtureModule; fx: Fixture; db: BenchDatabase }> {
  const mod = await loadFixtureModule();
  if (typeof mod === 'string') throw new Error(mod);
  const fx = await fixtureFor(mod, ctx);
  if (ctx.signal.aborted) throw new Error('interrupted');
  const db = await ctx.createDatabase(prefix, { template: fx.template.name });
  return { mod, fx, db };
}
