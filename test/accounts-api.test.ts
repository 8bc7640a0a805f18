// The account API over HTTP: open, list (masked), get, balance, freeze/unfreeze, close, each
// change audited in its transaction; and BOLA — a customer reaching for another customer's
// objects gets 404 and changes nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransfers, internalAccountId } from '../src/modules/ledger/service.js';
import type { TestApp } from './helpers/app.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from './helpers/auth.js';

let t: TestApp;
let alice: SignedIn;
let bob: SignedIn;
let teller: SignedIn;
let auditor: SignedIn;
beforeAll(async () => {
  t = await createAuthTestApp();
  alice = await registerCustomer(t.app);
  bob = await registerCustomer(t.app);
  teller = await createStaff(t, 'teller');
  auditor = await createStaff(t, 'auditor');
});
afterAll(async () => t?.close());

type Method = 'GET' | 'POST' | 'PATCH';
const call = (who: SignedIn, method: Method, url: string, payload?: Record<string, unknown>) =>
  t.app.inject(
    payload === undefined
      ? { method, url, headers: who.headers }
      : { method, url, headers: who.headers, payload },
  );

async function open(who: SignedIn, body: Record<string, unknown> = { type: 'CHECKING', currency: 'USD' }) {
  const res = await call(who, 'POST', '/api/v1/accounts', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const auditOf = async (id: string) =>
  (await t.db.pool.query('select action from audit_log where entity_id = $1 order by seq', [id])).rows.map(
    (r: { action: string }) => r.action,
  );

describe('accounts', () => {
  it('a customer opens an account for themselves', async () => {
    const a = await open(alice, { type: 'SAVINGS', currency: 'EUR', nickname: 'Rainy day' });
    expect(a).toMatchObject({
      customerId: alice.customerId,
      type: 'SAVINGS',
      currency: 'EUR',
      status: 'ACTIVE',
      balance: '0.00',
      availableBalance: '0.00',
      nickname: 'Rainy day',
      closedAt: null,
    });
    expect(a.accountNumber).toMatch(/^[0-9]{12}$/);
    expect(await auditOf(a.id)).toEqual(['account.opened']);
  });

  it('formats money with the currency exponent', async () => {
    const a = await open(alice, { type: 'CHECKING', currency: 'JPY' });
    expect(a.balance).toBe('0');
    const b = await open(alice, { type: 'CHECKING', currency: 'BHD' });
    expect(b.balance).toBe('0.000');
  });

  it('staff open for a customer named in the body; without one it is 400', async () => {
    const a = await open(teller, { type: 'CHECKING', currency: 'USD', customerId: bob.customerId });
    expect(a.customerId).toBe(bob.customerId);
    const missing = await call(teller, 'POST', '/api/v1/accounts', { type: 'CHECKING', currency: 'USD' });
    expect(missing.statusCode).toBe(400);
    const unknown = await call(teller, 'POST', '/api/v1/accounts', {
      type: 'CHECKING',
      currency: 'USD',
      customerId: randomUUID(),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('lists the caller’s accounts with masked numbers; get shows the full number', async () => {
    const a = await open(alice);
    const list = await call(alice, 'GET', '/api/v1/accounts');
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; accountNumber: string; customerId: string }[];
    expect(items.length).toBeGreaterThanOrEqual(1);
    for (const i of items) {
      expect(i.accountNumber).toMatch(/^\*{4}[0-9]{4}$/);
      expect(i.customerId).toBe(alice.customerId);
    }
    const one = await call(alice, 'GET', `/api/v1/accounts/${a.id}`);
    expect(one.json().accountNumber).toBe(a.accountNumber);
    const staffList = await call(auditor, 'GET', `/api/v1/accounts?customerId=${alice.customerId}`);
    expect(staffList.json().items.map((i: { id: string }) => i.id)).toContain(a.id);
  });

  it('answers the balance', async () => {
    const a = await open(alice);
    const res = await call(alice, 'GET', `/api/v1/accounts/${a.id}/balance`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      accountId: a.id,
      currency: 'USD',
      balance: '0.00',
      availableBalance: '0.00',
    });
  });

  it('staff freeze and unfreeze, audited; a customer may not', async () => {
    const a = await open(alice);
    expect((await call(alice, 'POST', `/api/v1/accounts/${a.id}/freeze`)).statusCode).toBe(403);
    const frozen = await call(teller, 'POST', `/api/v1/accounts/${a.id}/freeze`, {
      reason: 'suspicious activity',
    });
    expect(frozen.statusCode).toBe(200);
    expect(frozen.json().status).toBe('FROZEN');
    expect((await call(teller, 'POST', `/api/v1/accounts/${a.id}/freeze`)).statusCode).toBe(409);
    const thawed = await call(teller, 'POST', `/api/v1/accounts/${a.id}/unfreeze`);
    expect(thawed.json().status).toBe('ACTIVE');
    expect(await auditOf(a.id)).toEqual(['account.opened', 'account.frozen', 'account.unfrozen']);
    const { rows } = await t.db.pool.query(
      `select actor_id, before->>'status' as before, after->>'status' as after, after->>'reason' as reason
         from audit_log where entity_id = $1 and action = 'account.frozen'`,
      [a.id],
    );
    expect(rows[0]).toMatchObject({
      actor_id: teller.userId,
      before: 'ACTIVE',
      after: 'FROZEN',
      reason: 'suspicious activity',
    });
  });

  it('the owner closes an empty account; a closed account cannot be frozen', async () => {
    const a = await open(alice);
    const closed = await call(alice, 'POST', `/api/v1/accounts/${a.id}/close`);
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'CLOSED', closedAt: expect.any(String) });
    expect((await call(teller, 'POST', `/api/v1/accounts/${a.id}/freeze`)).statusCode).toBe(409);
    expect(await auditOf(a.id)).toEqual(['account.opened', 'account.closed']);
  });

  it('refuses to close an account that holds money (409 ACCOUNT_NOT_EMPTY), and shows the balance', async () => {
    const a = await open(alice);
    // Money arrives through the ledger (deposits are another API): post 12.34 from the vault.
    const [result] = await createTransfers(t.db.pool, [
      {
        id: randomUUID(),
        debitAccountId: await internalAccountId(t.db.pool, 'USD', 'VAULT'),
        creditAccountId: a.id,
        amount: 1234n,
        code: 'DEPOSIT',
      },
    ]);
    expect(result!.result).toBe('ok');
    const balance = await call(alice, 'GET', `/api/v1/accounts/${a.id}/balance`);
    expect(balance.json()).toMatchObject({ balance: '12.34', availableBalance: '12.34' });
    const res = await call(alice, 'POST', `/api/v1/accounts/${a.id}/close`);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ACCOUNT_NOT_EMPTY');
    expect(await auditOf(a.id)).toEqual(['account.opened']);
  });

  it.each([
    ['balance', '1000.00'],
    ['status', 'FROZEN'],
    ['overdraftLimit', '5000.00'],
    ['interestRate', '25'],
    ['accountNumber', '123456789012'],
    ['id', '00000000-0000-4000-8000-000000000000'],
  ])('refuses the mass-assigned field %s when opening', async (field, value) => {
    const before = await call(alice, 'GET', '/api/v1/accounts');
    const res = await call(alice, 'POST', '/api/v1/accounts', {
      type: 'CHECKING',
      currency: 'USD',
      [field]: value,
    });
    expect(res.statusCode).toBe(400);
    const after = await call(alice, 'GET', '/api/v1/accounts');
    expect(after.json().items.length).toBe(before.json().items.length);
  });

  it('refuses bad types and unknown currencies', async () => {
    for (const body of [
      { type: 'GOLD', currency: 'USD' },
      { type: 'CHECKING', currency: 'usd' },
      { type: 'CHECKING', currency: 'XXX' },
      { type: 'CHECKING', currency: 840 },
    ]) {
      expect((await call(alice, 'POST', '/api/v1/accounts', body)).statusCode, JSON.stringify(body)).toBe(
        400,
      );
    }
    expect((await call(alice, 'GET', '/api/v1/accounts/not-a-uuid')).statusCode).toBe(400);
  });
});

describe('BOLA: customer A against customer B’s objects', () => {
  it('gets 404 on every customer-scoped route, and nothing changes', async () => {
    const bobAccount = await open(bob);
    const snapshot = async () => ({
      account: (
        await t.db.pool.query(
          'select status, closed_at from accounts a join ledger_accounts l using (id) where a.id = $1',
          [bobAccount.id],
        )
      ).rows[0],
      bobAccounts: (
        await t.db.pool.query('select count(*)::int as n from accounts where customer_id = $1', [
          bob.customerId,
        ])
      ).rows[0].n,
      bobCustomer: (await t.db.pool.query('select * from customers where id = $1', [bob.customerId])).rows[0],
      bobUser: (await t.db.pool.query('select role, status, email from users where id = $1', [bob.userId]))
        .rows[0],
    });
    const before = await snapshot();
    const attempts: [Method, string, Record<string, unknown>?][] = [
      ['GET', `/api/v1/accounts/${bobAccount.id}`],
      ['GET', `/api/v1/accounts/${bobAccount.id}/balance`],
      ['POST', `/api/v1/accounts/${bobAccount.id}/close`],
      ['GET', `/api/v1/accounts?customerId=${bob.customerId}`],
      ['POST', '/api/v1/accounts', { type: 'CHECKING', currency: 'USD', customerId: bob.customerId }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(alice, method, url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
    // A missing account and another's look exactly alike.
    const missing = await call(alice, 'GET', `/api/v1/accounts/${randomUUID()}`);
    const others = await call(alice, 'GET', `/api/v1/accounts/${bobAccount.id}`);
    expect(others.json().detail).toBe(missing.json().detail);
    // Customer-only routes act on the caller alone: no id of B's can be named.
    const patch = await call(alice, 'PATCH', '/api/v1/me/profile', {
      customerId: bob.customerId,
      fullName: 'Mallory',
    });
    expect(patch.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);
  });
});
