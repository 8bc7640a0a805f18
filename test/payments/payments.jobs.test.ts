// Background work of money movement: expired holds, the settlement simulator and the pruning
// of idempotency keys.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.js';
import { expirePendingTransfers } from '../../src/modules/ledger/service.js';
import {
  failExpiredHolds,
  pruneIdempotencyKeys,
  simulateSettlement,
} from '../../src/modules/payments/jobs.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/app.js';
import { balanceOf, deposit, openAccount, post } from './helpers.js';

let t: TestApp;
let alice: SignedIn;
let teller: SignedIn;
beforeAll(async () => {
  t = await createAuthTestApp({
    RATE_LIMIT_MOVEMENTS_PER_MINUTE: '100000',
    EXTERNAL_SETTLEMENT_DELAY_SECONDS: '1',
  });
  alice = await registerCustomer(t.app);
  teller = await createStaff(t, 'teller');
});
afterAll(async () => {
  await t.close();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('an expired hold releases its funds and its transaction becomes FAILED', async () => {
  const a = await openAccount(t.app, alice);
  await deposit(t.app, alice, a.id, '10.00');
  const hold = await post(t.app, teller, '/api/v1/holds', {
    accountId: a.id,
    amount: '4.00',
    timeoutSeconds: 1,
  });
  expect(hold.statusCode).toBe(201);
  expect((await balanceOf(t.app, alice, a.id)).availableBalance).toBe('6.00');
  await sleep(1100);
  expect((await post(t.app, teller, `/api/v1/holds/${hold.json().id}/capture`, {})).json().code).toBe(
    'CONFLICT',
  );
  expect(await expirePendingTransfers(t.db.pool)).toBeGreaterThanOrEqual(1);
  expect(await failExpiredHolds(t.ctx)).toBe(1);
  expect(await failExpiredHolds(t.ctx)).toBe(0);
  const tx = await t.app.inject({ url: `/api/v1/transactions/${hold.json().id}`, headers: alice.headers });
  expect(tx.json()).toMatchObject({ status: 'FAILED' });
  expect((await balanceOf(t.app, alice, a.id)).availableBalance).toBe('10.00');
});

it('the settlement simulator settles due transfers and returns those to RET… accounts', async () => {
  const a = await openAccount(t.app, alice);
  await deposit(t.app, alice, a.id, '100.00');
  const send = (accountNumber: string) =>
    post(t.app, alice, '/api/v1/transfers', {
      fromAccountId: a.id,
      amount: '10.00',
      toExternal: { bankCode: 'OTHRGB2L', accountNumber, name: 'Payee' },
    });
  const ok = await send('GB29NWBK60161331926819');
  const back = await send('RET00000001');
  expect(await simulateSettlement(t.ctx)).toBe(0); // not due yet
  await sleep(1100);
  expect(await simulateSettlement(t.ctx)).toBe(2);
  const status = async (id: string) =>
    (await t.app.inject({ url: `/api/v1/transactions/${id}`, headers: alice.headers })).json().status;
  expect([await status(ok.json().id), await status(back.json().id)]).toEqual(['COMPLETED', 'FAILED']);
  expect(await balanceOf(t.app, alice, a.id)).toMatchObject({ balance: '90.00', availableBalance: '90.00' });
  expect(await runVerify(t.db.pool, () => undefined)).toBe(true);
});

it('limits money movements per user per minute with 429 and Retry-After', async () => {
  const limited = await createAuthTestApp({ RATE_LIMIT_MOVEMENTS_PER_MINUTE: '3' });
  try {
    const bob = await registerCustomer(limited.app);
    const a = await openAccount(limited.app, bob);
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        (await post(limited.app, bob, '/api/v1/deposits', { accountId: a.id, amount: '1.00' })).statusCode,
      );
    expect(codes).toEqual([201, 201, 201, 429, 429]);
    const res = await post(limited.app, bob, '/api/v1/deposits', { accountId: a.id, amount: '1.00' });
    expect(res.json().code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await balanceOf(limited.app, bob, a.id)).balance).toBe('3.00');
  } finally {
    await limited.close();
  }
});

const age = (key: string, hours: number) =>
  t.db.pool.query(
    `update idempotency_keys set created_at = now() - make_interval(hours => $2) where key = $1`,
    [key, hours],
  );

it('idempotency keys past their retention are deleted, and a retry with one runs again', async () => {
  const a = await openAccount(t.app, alice);
  const [old, recent] = [randomUUID(), randomUUID()];
  const deposit1 = (key: string) =>
    post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '1.00' }, key);
  const first = await deposit1(old);
  const kept = await deposit1(recent);
  expect([first.statusCode, kept.statusCode]).toEqual([201, 201]);
  expect((await deposit1(old)).json().id).toBe(first.json().id); // replayed while kept

  await age(old, t.ctx.config.IDEMPOTENCY_KEY_RETENTION_HOURS + 1);
  await age(recent, t.ctx.config.IDEMPOTENCY_KEY_RETENTION_HOURS - 1);
  const stored = async (key: string) =>
    (await t.db.pool.query('select 1 from idempotency_keys where key = $1', [key])).rowCount;
  expect(await pruneIdempotencyKeys(t.ctx)).toBeGreaterThanOrEqual(1);
  expect([await stored(old), await stored(recent)]).toEqual([0, 1]);

  const again = await deposit1(old);
  expect(again.statusCode).toBe(201);
  expect(again.json().id).not.toBe(first.json().id); // the key was gone: a new deposit
  expect((await deposit1(recent)).json().id).toBe(kept.json().id); // still within the window
  expect((await balanceOf(t.app, alice, a.id)).balance).toBe('3.00');
});

it('IDEMPOTENCY_KEY_RETENTION_HOURS=0 keeps keys forever', async () => {
  const a = await openAccount(t.app, alice);
  const key = randomUUID();
  await post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '1.00' }, key);
  await age(key, 24 * 365 * 10);
  const forever = { ...t.ctx, config: { ...t.ctx.config, IDEMPOTENCY_KEY_RETENTION_HOURS: 0 } };
  expect(await pruneIdempotencyKeys(forever)).toBe(0);
  expect((await t.db.pool.query('select 1 from idempotency_keys where key = $1', [key])).rowCount).toBe(1);
});
