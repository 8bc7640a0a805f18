// "No 500 for anything a client sent": every list and report is asked with odd values in each
// query parameter it might take, and every write with odd values in each field of an otherwise
// valid body (wrong types, empty and huge strings, out-of-range numbers and dates, injection
// text, nested objects). Each answer must be a success or a 4xx problem, never a 5xx. This is
// how year 0000 in a history query was found to reach PostgreSQL as a 500.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApp } from './helpers/app.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from './helpers/auth.js';
import { deposit, openAccount } from './payments/helpers.js';

let t: TestApp;
let customer: SignedIn;
let admin: SignedIn;
let teller: SignedIn;
beforeAll(async () => {
  t = await createAuthTestApp({ RATE_LIMIT_MOVEMENTS_PER_MINUTE: '100000' });
  customer = await registerCustomer(t.app);
  admin = await createStaff(t, 'admin');
  teller = await createStaff(t, 'teller');
});
afterAll(async () => t?.close());

const scalars: (string | number | boolean | null)[] = [
  '',
  ' ',
  'x'.repeat(5000),
  '9'.repeat(40),
  '-1',
  '0',
  '1e308',
  'NaN',
  '%',
  "'; drop table accounts; --",
  '\\',
  '2026-13-45',
  '0000-01-01',
  '9999-12-31T23:59:59Z',
  '1.0000000001',
  -1,
  0,
  1e308,
  -1e308,
  2 ** 63,
  1.5,
  true,
  null,
];
const values: unknown[] = [...scalars, [], {}, ['a'], { a: 1 }, randomUUID()];

const lists = [
  '/api/v1/accounts',
  '/api/v1/accounts/:id/transactions',
  '/api/v1/accounts/:id/statement',
  '/api/v1/audit',
  '/api/v1/customers',
  '/api/v1/fraud/alerts',
  '/api/v1/reports',
  '/api/v1/reports/transactions',
  '/api/v1/reports/system',
  '/api/v1/reports/accounts/:id',
  '/api/v1/transactions',
  '/api/v1/admin/users',
];
const parameters = [
  'from',
  'to',
  'limit',
  'cursor',
  'q',
  'type',
  'status',
  'minAmount',
  'maxAmount',
  'tag',
  'category',
  'format',
  'customerId',
  'accountId',
  'entityType',
  'entityId',
  'actorId',
  'action',
  'role',
  'currency',
];

it('answers odd query parameters on every list and report with a success or a 4xx', async () => {
  const account = await openAccount(t.app, customer);
  const failures: string[] = [];
  for (const who of [customer, admin]) {
    for (const list of lists) {
      const url = list.replace(':id', account.id);
      for (const parameter of parameters) {
        for (const v of scalars) {
          const res = await t.app.inject({
            url: `${url}?${parameter}=${encodeURIComponent(String(v))}`,
            headers: who.headers,
          });
          if (res.statusCode >= 500) failures.push(`GET ${list}?${parameter}=${String(v).slice(0, 30)}`);
        }
      }
    }
  }
  expect(failures).toEqual([]);
}, 120_000);

it('answers odd values in each field of every write with a success or a 4xx', async () => {
  const account = await openAccount(t.app, customer);
  await deposit(t.app, customer, account.id, '100.00');
  const writes: [string, Record<string, unknown>, SignedIn][] = [
    ['/api/v1/transfers', { fromAccountId: account.id, toAccountId: randomUUID(), amount: '1.00' }, customer],
    ['/api/v1/deposits', { accountId: account.id, amount: '1.00' }, teller],
    ['/api/v1/withdrawals', { accountId: account.id, amount: '1.00' }, customer],
    ['/api/v1/holds', { accountId: account.id, amount: '1.00', timeoutSeconds: 60 }, teller],
    [
      '/api/v1/external/inbound',
      { accountNumber: account.accountNumber, amount: '1.00', currency: 'USD' },
      teller,
    ],
    [
      '/api/v1/external/settlements',
      { settlements: [{ transactionId: randomUUID(), outcome: 'SETTLED' }] },
      teller,
    ],
    ['/api/v1/accounts', { type: 'CHECKING', currency: 'USD' }, customer],
    ['/api/v1/reports', { type: 'transactions', from: '2026-01-01', to: '2026-02-01' }, admin],
    ['/api/v1/customers', { fullName: 'Ada Lovelace', email: 'ada@example.com' }, teller],
  ];
  const failures: string[] = [];
  for (const [url, body, who] of writes) {
    for (const field of Object.keys(body)) {
      for (const v of values) {
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: { ...who.headers, 'idempotency-key': randomUUID() },
          payload: { ...body, [field]: v },
        });
        if (res.statusCode >= 500) failures.push(`POST ${url} ${field}=${JSON.stringify(v)?.slice(0, 30)}`);
      }
    }
  }
  expect(failures).toEqual([]);
}, 120_000);
