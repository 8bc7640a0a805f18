// The customer journey over a real HTTP port: register → open accounts → deposit → transfer →
// history, with exact balances at every step.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuthTestApp, PASSWORD, uniqueEmail } from '../helpers/auth.js';
import type { TestApp } from '../helpers/app.js';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createAuthTestApp({ RATE_LIMIT_MOVEMENTS_PER_MINUTE: '1000' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
});

async function call(method: string, path: string, token?: string, body?: unknown, key?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { items?: Record<string, unknown>[] },
  };
}

it('register → open two accounts → deposit → transfer → history', async () => {
  const email = uniqueEmail('journey');
  expect(
    (
      await call('POST', '/api/v1/auth/register', undefined, {
        email,
        password: PASSWORD,
        fullName: 'Jo Journey',
      })
    ).status,
  ).toBe(201);
  const login = await call('POST', '/api/v1/auth/login', undefined, { email, password: PASSWORD });
  expect(login.status).toBe(200);
  const token = login.body.accessToken as string;

  const checking = await call('POST', '/api/v1/accounts', token, { type: 'CHECKING', currency: 'EUR' });
  const savings = await call('POST', '/api/v1/accounts', token, {
    type: 'SAVINGS',
    currency: 'EUR',
    nickname: 'Later',
  });
  expect([checking.status, savings.status]).toEqual([201, 201]);
  const [c, s] = [checking.body.id as string, savings.body.id as string];

  expect(
    (await call('POST', '/api/v1/deposits', token, { accountId: c, amount: '250.00' }, randomUUID())).status,
  ).toBe(201);
  const tr = await call(
    'POST',
    '/api/v1/transfers',
    token,
    { fromAccountId: c, toAccountId: s, amount: '99.99', description: 'To savings' },
    randomUUID(),
  );
  expect(tr.status).toBe(201);
  expect(tr.body).toMatchObject({ type: 'TRANSFER', status: 'COMPLETED', amount: '99.99', currency: 'EUR' });

  expect((await call('GET', `/api/v1/accounts/${c}/balance`, token)).body).toMatchObject({
    balance: '150.01',
    availableBalance: '150.01',
  });
  expect((await call('GET', `/api/v1/accounts/${s}/balance`, token)).body).toMatchObject({
    balance: '99.99',
  });
  const hist = await call('GET', `/api/v1/accounts/${c}/transactions`, token);
  expect(hist.body.items?.map((i) => [i.type, i.amount])).toEqual([
    ['TRANSFER', '99.99'],
    ['DEPOSIT', '250.00'],
  ]);
  const all = await call('GET', '/api/v1/transactions', token);
  expect(all.body.items).toHaveLength(2);
});
