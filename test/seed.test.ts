// Demo data: created once, idempotent, never in production; the demo logins work.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../src/cli/verify.js';
import { DEMO_PASSWORD, demoLogins, formatDemoLogins, seedDemoData } from '../src/seed/demo.js';
import { projectRoot } from '../src/platform/paths.js';
import type { TestApp } from './helpers/app.js';
import { createAuthTestApp, login } from './helpers/auth.js';

let t: TestApp;
beforeAll(async () => {
  t = await createAuthTestApp();
});
afterAll(async () => t?.close());

describe('demo data', () => {
  it('is never created in production', async () => {
    expect(await seedDemoData({ ...t.ctx, config: { ...t.ctx.config, NODE_ENV: 'production' } })).toBe(false);
    expect((await t.db.pool.query('select 1 from users')).rowCount).toBe(0);
  });

  it('creates one staff user per role and two customers with accounts, once', async () => {
    const [first, second] = await Promise.all([seedDemoData(t.ctx), seedDemoData(t.ctx)]);
    expect([first, second].sort()).toEqual([false, true]);
    expect(await seedDemoData(t.ctx)).toBe(false);
    const { rows } = await t.db.pool.query(
      'select role, count(*)::int as n from users group by role order by role',
    );
    expect(rows).toEqual([
      { role: 'admin', n: 1 },
      { role: 'analyst', n: 1 },
      { role: 'auditor', n: 1 },
      { role: 'customer', n: 2 },
      { role: 'teller', n: 1 },
    ]);
    for (const l of demoLogins) expect((await login(t.app, l.email, DEMO_PASSWORD)).role).toBe(l.role);
    const alice = await login(t.app, 'alice@corebank.demo', DEMO_PASSWORD);
    const accounts = await t.app.inject({ url: '/api/v1/accounts', headers: alice.headers });
    expect(accounts.json().items.length).toBeGreaterThanOrEqual(2);
    const me = await t.app.inject({ url: '/api/v1/me', headers: alice.headers });
    expect(me.json().customer.nationalId).toBe('***-**-0001');
    expect(formatDemoLogins()).toContain('alice@corebank.demo');
    const audit = await t.app.inject({
      url: '/api/v1/audit/verify',
      headers: (await login(t.app, 'auditor@corebank.demo', DEMO_PASSWORD)).headers,
    });
    expect(audit.json().ok).toBe(true);
    // A history to look at, through the real money path, and the books still balance.
    const main = accounts
      .json()
      .items.find((a: { type: string; currency: string }) => a.type === 'CHECKING' && a.currency === 'USD');
    const hist = await t.app.inject({
      url: `/api/v1/accounts/${main.id}/transactions`,
      headers: alice.headers,
    });
    expect(hist.json().items.length).toBeGreaterThanOrEqual(8);
    const balance = await t.app.inject({
      url: `/api/v1/accounts/${main.id}/balance`,
      headers: alice.headers,
    });
    expect(balance.json().balance).toBe('2391.66'); // 4200 + 250 - 1643.34 spent - 500 saved - 35 + 120
    expect(await runVerify(t.db.pool, () => undefined)).toBe(true);
  });

  it('are listed in the README', () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    expect(readme).toContain(DEMO_PASSWORD);
    for (const l of demoLogins)
      expect(readme).toMatch(new RegExp(`\\| ${l.role} +\\| ${l.email.replace('.', '\\.')}`));
  });
});
