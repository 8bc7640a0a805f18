// Dates that look right but are not on the calendar, and cursors this API never issued, are a
// 400 problem+json on every list and report — never a database error surfacing as a 500.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from './helpers/auth.js';
import type { TestApp } from './helpers/app.js';
import { openAccount } from './payments/helpers.js';

let t: TestApp;
let customer: SignedIn;
let admin: SignedIn;
let accountId: string;
beforeAll(async () => {
  t = await createAuthTestApp();
  customer = await registerCustomer(t.app);
  admin = await createStaff(t, 'admin');
  accountId = (await openAccount(t.app, customer)).id;
});
afterAll(async () => {
  await t.close();
});

const forged = (text: string) => Buffer.from(text).toString('base64url');

const cases: [string, () => string, 'customer' | 'admin'][] = [
  ['history from', () => `/api/v1/accounts/${accountId}/transactions?from=2026-02-30`, 'customer'],
  ['history to', () => `/api/v1/accounts/${accountId}/transactions?to=2026-02-30T10:00:00Z`, 'customer'],
  // Year 0000 has the shape, but PostgreSQL has no such year.
  ['history from year 0', () => `/api/v1/accounts/${accountId}/transactions?from=0000-01-01`, 'customer'],
  ['customer history to year 0', () => `/api/v1/transactions?to=0000-12-31T00:00:00Z`, 'customer'],
  [
    'cursor in year 0',
    () =>
      `/api/v1/accounts/${accountId}/transactions?cursor=${forged('["0000-01-01 00:00:00+00","3f0b6c8e-1d2a-4b5c-9d7e-0a1b2c3d4e5f"]')}`,
    'customer',
  ],
  [
    'history cursor',
    () =>
      `/api/v1/accounts/${accountId}/transactions?cursor=${forged('["2026-02-30 00:00:00+00","3f0b6c8e-1d2a-4b5c-9d7e-0a1b2c3d4e5f"]')}`,
    'customer',
  ],
  ['customer history cursor', () => `/api/v1/transactions?cursor=garbage`, 'customer'],
  [
    'statement period',
    () => `/api/v1/accounts/${accountId}/statement?from=2026-02-30&to=2026-03-05`,
    'customer',
  ],
  [
    'account report period',
    () => `/api/v1/reports/accounts/${accountId}?from=2026-02-30&to=2026-03-05`,
    'customer',
  ],
  [
    'transaction report period',
    () => `/api/v1/reports/transactions?from=2026-02-30&to=2026-03-05`,
    'customer',
  ],
  [
    'saved reports cursor',
    () =>
      `/api/v1/reports?cursor=${forged('["2026-13-01T00:00:00.000000Z","3f0b6c8e-1d2a-4b5c-9d7e-0a1b2c3d4e5f"]')}`,
    'customer',
  ],
  ['audit from', () => `/api/v1/audit?from=2026-02-30T00:00:00Z`, 'admin'],
  ['audit cursor beyond bigint', () => `/api/v1/audit?cursor=9999999999999999999`, 'admin'],
  [
    'alerts cursor',
    () =>
      `/api/v1/fraud/alerts?cursor=${forged('["2026-02-30T00:00:00.000000Z","3f0b6c8e-1d2a-4b5c-9d7e-0a1b2c3d4e5f"]')}`,
    'admin',
  ],
  [
    'users cursor',
    () => `/api/v1/admin/users?cursor=${forged('["not a time","3f0b6c8e-1d2a-4b5c-9d7e-0a1b2c3d4e5f"]')}`,
    'admin',
  ],
  ['customers cursor', () => `/api/v1/customers?q=a&cursor=${forged('["x"]')}`, 'admin'],
];

it.each(cases)('%s → 400', async (_name, url, who) => {
  const res = await t.app.inject({ url: url(), headers: (who === 'admin' ? admin : customer).headers });
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json().code).toBe('INVALID_REQUEST');
});
