// Money movement through the HTTP API on real PostgreSQL: deposits, withdrawals, transfers,
// holds, reversals, external transfers, idempotency, refusals, history and labels.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/app.js';
import { balanceOf, deposit, openAccount, post } from './helpers.js';

let t: TestApp;
let alice: SignedIn;
let bob: SignedIn;
let teller: SignedIn;
beforeAll(async () => {
  t = await createAuthTestApp({
    RATE_LIMIT_MOVEMENTS_PER_MINUTE: '100000',
    EXTERNAL_SETTLEMENT_DELAY_SECONDS: '0',
  });
  [alice, bob] = await Promise.all([registerCustomer(t.app), registerCustomer(t.app)]);
  teller = await createStaff(t, 'teller');
});
afterAll(async () => {
  await t.close();
});

const verified = async () => {
  const lines: string[] = [];
  const ok = await runVerify(t.db.pool, (l) => lines.push(l));
  return ok ? 'ok' : lines.join('\n');
};

describe('deposits, withdrawals and transfers', () => {
  it('move exact amounts and show in both histories', async () => {
    const a = await openAccount(t.app, alice);
    const b = await openAccount(t.app, bob);
    const dep = await post(t.app, alice, '/api/v1/deposits', {
      accountId: a.id,
      amount: '100.10',
      description: 'Salary November',
    });
    expect(dep.statusCode).toBe(201);
    expect(dep.json()).toMatchObject({
      type: 'DEPOSIT',
      status: 'COMPLETED',
      amount: '100.10',
      currency: 'USD',
      toAccountId: a.id,
      category: 'income',
    });
    expect(dep.json().reference).toMatch(/^CB\d{6}[0-9A-F]{16}$/);

    const byNumber = await post(t.app, alice, '/api/v1/transfers', {
      fromAccountId: a.id,
      toAccountNumber: b.accountNumber,
      amount: '30.05',
      description: 'Rent share',
    });
    expect(byNumber.statusCode).toBe(201);
    expect(byNumber.json()).toMatchObject({
      type: 'TRANSFER',
      status: 'COMPLETED',
      amount: '30.05',
      fromAccountId: a.id,
      toAccountId: b.id,
      category: 'housing',
    });
    const byId = await post(t.app, alice, '/api/v1/transfers', {
      fromAccountId: a.id,
      toAccountId: b.id,
      amount: 0.95,
    });
    expect(byId.statusCode).toBe(201);
    const out = await post(t.app, alice, '/api/v1/withdrawals', { accountId: a.id, amount: '9.10' });
    expect(out.statusCode).toBe(201);

    expect((await balanceOf(t.app, alice, a.id)).balance).toBe('60.00');
    expect((await balanceOf(t.app, bob, b.id)).balance).toBe('31.00');
    const hist = await t.app.inject({ url: `/api/v1/accounts/${b.id}/transactions`, headers: bob.headers });
    expect(hist.statusCode).toBe(200);
    expect(hist.json().items.map((x: { amount: string }) => x.amount)).toEqual(['0.95', '30.05']);
    expect(await verified()).toBe('ok');
  });

  it('teller cash moves against the vault, customer funding against clearing', async () => {
    const a = await openAccount(t.app, alice);
    await deposit(t.app, teller, a.id, '50.00');
    const { rows } = await t.db.pool.query<{ purpose: string }>(
      `select l.purpose from ledger_transfers x join ledger_accounts l on l.id = x.debit_account_id
       where x.credit_account_id = $1`,
      [a.id],
    );
    expect(rows.map((r) => r.purpose)).toEqual(['VAULT']);
    await deposit(t.app, alice, a.id, '1.00');
    const { rows: r2 } = await t.db.pool.query<{ purpose: string }>(
      `select l.purpose from ledger_transfers x join ledger_accounts l on l.id = x.debit_account_id
       where x.credit_account_id = $1 order by x.created_at`,
      [a.id],
    );
    expect(r2.map((r) => r.purpose)).toEqual(['VAULT', 'CLEARING']);
  });
});

describe('refusals: a clear code and nothing changes', () => {
  const amounts: [unknown, string][] = [
    ['-1.00', 'negative'],
    ['0', 'zero'],
    ['0.00', 'zero'],
    ['NaN', 'NaN'],
    ['1e3', 'exponent'],
    ['1.001', 'too many decimals'],
    ['1234567890123456', 'too many integer digits'],
    [0.1 + 0.2, 'inexact number'],
    ['', 'empty'],
    [' 5', 'padded'],
    [null, 'null'],
    [true, 'boolean'],
  ];
  it.each(amounts)('amount %j (%s) → INVALID_AMOUNT', async (amount) => {
    const a = await openAccount(t.app, alice);
    await deposit(t.app, alice, a.id, '10.00');
    const before = await t.db.pool.query('select count(*) from ledger_transfers');
    const res = await post(t.app, alice, '/api/v1/transfers', {
      fromAccountId: a.id,
      toAccountId: a.id,
      amount,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(['INVALID_AMOUNT', 'INVALID_REQUEST']).toContain(res.json().code);
    if (typeof amount === 'string' && amount !== '') expect(res.json().code).toBe('INVALID_AMOUNT');
    expect((await t.db.pool.query('select count(*) from ledger_transfers')).rows).toEqual(before.rows);
    expect((await balanceOf(t.app, alice, a.id)).balance).toBe('10.00');
  });

  it('insufficient funds, frozen, closed, currency mismatch, unknown and foreign accounts', async () => {
    const a = await openAccount(t.app, alice);
    const a2 = await openAccount(t.app, alice);
    const eur = await openAccount(t.app, alice, { currency: 'EUR' });
    const b = await openAccount(t.app, bob);
    await deposit(t.app, alice, a.id, '20.00');
    const transfer = (body: Record<string, unknown>, who = alice) =>
      post(t.app, who, '/api/v1/transfers', { fromAccountId: a.id, amount: '1.00', ...body });
    const cases: [string, Promise<{ statusCode: number; json(): { code: string } }>, number, string][] = [
      ['insufficient', transfer({ toAccountId: b.id, amount: '20.01' }), 422, 'INSUFFICIENT_FUNDS'],
      ['currency', transfer({ toAccountId: eur.id }), 422, 'CURRENCY_MISMATCH'],
      ['unknown to', transfer({ toAccountId: randomUUID() }), 404, 'NOT_FOUND'],
      ['unknown number', transfer({ toAccountNumber: '123456789012' }), 400, 'INVALID_ACCOUNT_NUMBER'],
      [
        'foreign from',
        post(t.app, alice, '/api/v1/transfers', { fromAccountId: b.id, toAccountId: a.id, amount: '1.00' }),
        404,
        'NOT_FOUND',
      ],
      [
        'foreign deposit',
        post(t.app, alice, '/api/v1/deposits', { accountId: b.id, amount: '1.00' }),
        404,
        'NOT_FOUND',
      ],
      ['same account', transfer({ toAccountId: a.id }), 400, 'INVALID_REQUEST'],
      [
        'two targets',
        transfer({ toAccountId: b.id, toAccountNumber: b.accountNumber }),
        400,
        'INVALID_REQUEST',
      ],
      ['unknown field', transfer({ toAccountId: b.id, balance: '9' }), 400, 'INVALID_REQUEST'],
      [
        'over the limit',
        post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '1000000.01' }),
        422,
        'LIMIT_EXCEEDED',
      ],
    ];
    for (const [name, p, status, code] of cases) {
      const res = await p;
      expect([name, res.statusCode, res.json().code]).toEqual([name, status, code]);
    }
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/transfers',
          headers: alice.headers,
          payload: { fromAccountId: a.id, toAccountId: b.id, amount: '1.00' },
        })
      ).json().code,
    ).toBe('INVALID_REQUEST'); // no Idempotency-Key

    const freeze = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${a2.id}/freeze`,
      headers: teller.headers,
    });
    expect(freeze.statusCode).toBe(200);
    expect(
      (
        await post(t.app, alice, '/api/v1/transfers', {
          fromAccountId: a.id,
          toAccountId: a2.id,
          amount: '1.00',
        })
      ).json().code,
    ).toBe('ACCOUNT_FROZEN');
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${a2.id}/unfreeze`,
      headers: teller.headers,
    });
    const close = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${a2.id}/close`,
      headers: alice.headers,
    });
    expect(close.statusCode).toBe(200);
    expect(
      (
        await post(t.app, alice, '/api/v1/transfers', {
          fromAccountId: a.id,
          toAccountId: a2.id,
          amount: '1.00',
        })
      ).json().code,
    ).toBe('ACCOUNT_CLOSED');

    expect((await balanceOf(t.app, alice, a.id)).balance).toBe('20.00');
    expect(await verified()).toBe('ok');
  });
});

describe('an account used before and frozen later', () => {
  it("is refused as payer and payee, and another customer's account stays 404", async () => {
    const a = await openAccount(t.app, alice);
    const a2 = await openAccount(t.app, alice);
    const b = await openAccount(t.app, bob);
    await deposit(t.app, alice, a.id, '20.00');
    await deposit(t.app, bob, b.id, '20.00');
    const move = (who: SignedIn, from: string, to: string) =>
      post(t.app, who, '/api/v1/transfers', { fromAccountId: from, toAccountId: to, amount: '1.00' });
    const freeze = (id: string, action: 'freeze' | 'unfreeze') =>
      t.app.inject({ method: 'POST', url: `/api/v1/accounts/${id}/${action}`, headers: teller.headers });
    // Used once as payer and payee before anything changes.
    expect((await move(alice, a.id, a2.id)).statusCode).toBe(201);
    expect((await move(bob, b.id, a.id)).statusCode).toBe(201);

    expect((await freeze(a.id, 'freeze')).statusCode).toBe(200);
    expect((await move(alice, a.id, a2.id)).json().code).toBe('ACCOUNT_FROZEN');
    expect(
      (await post(t.app, alice, '/api/v1/withdrawals', { accountId: a.id, amount: '1.00' })).json().code,
    ).toBe('ACCOUNT_FROZEN');
    expect((await move(bob, b.id, a.id)).json().code).toBe('ACCOUNT_FROZEN');
    expect((await freeze(a.id, 'unfreeze')).statusCode).toBe(200);
    expect((await move(alice, a.id, a2.id)).statusCode).toBe(201);

    // Whose it is still decides: bob's account, used before, is not alice's to pay from.
    expect((await move(alice, b.id, a.id)).json().code).toBe('NOT_FOUND');
    // a: 20 − 1 + 1 − 1 (the refused movements changed nothing); b: 20 − 1.
    expect((await balanceOf(t.app, alice, a.id)).balance).toBe('19.00');
    expect((await balanceOf(t.app, bob, b.id)).balance).toBe('19.00');
  });
});

describe('account lookups made together', () => {
  // The account reads of concurrent requests share one query (src/platform/db/coalesce.ts); the
  // ownership check must still be each caller's own.
  it("concurrent transfers: each customer moves only their own money; paying from another's account is 404 for that request alone", async () => {
    const [a, b] = await Promise.all([openAccount(t.app, alice), openAccount(t.app, bob)]);
    await Promise.all([deposit(t.app, alice, a.id, '50.00'), deposit(t.app, bob, b.id, '50.00')]);
    const asks = [
      { who: alice, from: a.id, to: b.id, amount: '1.00' },
      { who: bob, from: a.id, to: b.id, amount: '7.00' }, // Bob paying out of Alice's account
      { who: bob, from: b.id, to: a.id, amount: '2.00' },
      { who: alice, from: b.id, to: a.id, amount: '9.00' }, // Alice paying out of Bob's account
      { who: alice, from: a.id, to: randomUUID(), amount: '3.00' }, // to nobody
    ];
    const replies = await Promise.all(
      asks.map((x) =>
        post(t.app, x.who, '/api/v1/transfers', {
          fromAccountId: x.from,
          toAccountId: x.to,
          amount: x.amount,
        }),
      ),
    );
    expect(replies.map((r) => r.statusCode)).toEqual([201, 404, 201, 404, 404]);
    expect(replies[1]!.json().code).toBe('NOT_FOUND');
    expect(replies[4]!.json().detail).toMatch(/receiving account/);
    expect((await balanceOf(t.app, alice, a.id)).balance).toBe('51.00');
    expect((await balanceOf(t.app, bob, b.id)).balance).toBe('49.00');
  });
});

describe('idempotency', () => {
  it('replays the first reply for the same key and body, refuses another body', async () => {
    const a = await openAccount(t.app, alice);
    const key = randomUUID();
    const first = await post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '5.00' }, key);
    const again = await post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '5.00' }, key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotency-replayed']).toBe('true');
    const other = await post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '6.00' }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('IDEMPOTENCY_CONFLICT');
    expect((await balanceOf(t.app, alice, a.id)).balance).toBe('5.00');
  });

  it('scopes keys per user', async () => {
    const a = await openAccount(t.app, alice);
    const b = await openAccount(t.app, bob);
    const key = randomUUID();
    expect(
      (await post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '1.00' }, key)).statusCode,
    ).toBe(201);
    expect(
      (await post(t.app, bob, '/api/v1/deposits', { accountId: b.id, amount: '1.00' }, key)).statusCode,
    ).toBe(201);
  });

  it('50 concurrent identical requests → exactly one movement, identical replies', async () => {
    const a = await openAccount(t.app, alice);
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '7.00' }, key),
      ),
    );
    expect(new Set(replies.map((r) => r.statusCode))).toEqual(new Set([201]));
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    expect((await balanceOf(t.app, alice, a.id)).balance).toBe('7.00');
    const { rows } = await t.db.pool.query(
      'select count(*)::int as n from transactions where to_account_id = $1',
      [a.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('lets a key run again after its movement failed', async () => {
    const a = await openAccount(t.app, alice);
    const b = await openAccount(t.app, bob);
    const key = randomUUID();
    expect(
      (
        await post(
          t.app,
          alice,
          '/api/v1/transfers',
          { fromAccountId: a.id, toAccountId: b.id, amount: '3.00' },
          key,
        )
      ).json().code,
    ).toBe('INSUFFICIENT_FUNDS');
    await deposit(t.app, alice, a.id, '3.00');
    expect(
      (
        await post(
          t.app,
          alice,
          '/api/v1/transfers',
          { fromAccountId: a.id, toAccountId: b.id, amount: '3.00' },
          key,
        )
      ).statusCode,
    ).toBe(201);
  });
});

describe('holds, reversals and external transfers', () => {
  it('captures part of a hold and releases the rest; a second capture is refused', async () => {
    const a = await openAccount(t.app, alice);
    await deposit(t.app, alice, a.id, '100.00');
    const hold = await post(t.app, teller, '/api/v1/holds', {
      accountId: a.id,
      amount: '40.00',
      description: 'Card authorisation',
    });
    expect(hold.statusCode).toBe(201);
    expect(hold.json().status).toBe('PENDING');
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '100.00',
      availableBalance: '60.00',
    });
    const cap = await post(t.app, teller, `/api/v1/holds/${hold.json().id}/capture`, { amount: '25.00' });
    expect(cap.statusCode).toBe(200);
    expect(cap.json()).toMatchObject({ status: 'COMPLETED', amount: '25.00' });
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '75.00',
      availableBalance: '75.00',
    });
    expect((await post(t.app, teller, `/api/v1/holds/${hold.json().id}/void`, {})).json().code).toBe(
      'CONFLICT',
    );
  });

  it('voids a hold; customers may not hold or capture', async () => {
    const a = await openAccount(t.app, alice);
    await deposit(t.app, alice, a.id, '10.00');
    expect((await post(t.app, alice, '/api/v1/holds', { accountId: a.id, amount: '1.00' })).statusCode).toBe(
      403,
    );
    const hold = await post(t.app, teller, '/api/v1/holds', { accountId: a.id, amount: '10.00' });
    expect(
      (await post(t.app, teller, `/api/v1/holds/${hold.json().id}/void`, { reason: 'cancelled' })).json()
        .status,
    ).toBe('FAILED');
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '10.00',
      availableBalance: '10.00',
    });
  });

  it('reverses a completed transfer once', async () => {
    const a = await openAccount(t.app, alice);
    const b = await openAccount(t.app, bob);
    await deposit(t.app, alice, a.id, '10.00');
    const tr = await post(t.app, alice, '/api/v1/transfers', {
      fromAccountId: a.id,
      toAccountId: b.id,
      amount: '4.00',
    });
    expect((await post(t.app, alice, `/api/v1/transactions/${tr.json().id}/reverse`, {})).statusCode).toBe(
      403,
    );
    const rev = await post(t.app, teller, `/api/v1/transactions/${tr.json().id}/reverse`, {});
    expect(rev.statusCode).toBe(201);
    expect(rev.json()).toMatchObject({
      type: 'REVERSAL',
      fromAccountId: b.id,
      toAccountId: a.id,
      amount: '4.00',
      reversesTransactionId: tr.json().id,
    });
    expect(
      (await t.app.inject({ url: `/api/v1/transactions/${tr.json().id}`, headers: alice.headers })).json()
        .status,
    ).toBe('REVERSED');
    expect((await post(t.app, teller, `/api/v1/transactions/${tr.json().id}/reverse`, {})).json().code).toBe(
      'CONFLICT',
    );
    expect([
      (await balanceOf(t.app, alice, a.id)).balance,
      (await balanceOf(t.app, bob, b.id)).balance,
    ]).toEqual(['10.00', '0.00']);
  });

  it('runs the external cycle: pending → settled, pending → returned with the funds back', async () => {
    const a = await openAccount(t.app, alice);
    await deposit(t.app, alice, a.id, '100.00');
    const payee = { bankCode: 'OTHRGB2L', accountNumber: 'GB29NWBK60161331926819', name: 'Mia Other' };
    const out1 = await post(t.app, alice, '/api/v1/transfers', {
      fromAccountId: a.id,
      toExternal: payee,
      amount: '30.00',
    });
    const out2 = await post(t.app, alice, '/api/v1/transfers', {
      fromAccountId: a.id,
      toExternal: payee,
      amount: '20.00',
    });
    expect([out1.json().status, out2.json().status]).toEqual(['PENDING', 'PENDING']);
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '100.00',
      availableBalance: '50.00',
    });
    const settle = await t.app.inject({
      method: 'POST',
      url: '/api/v1/external/settlements',
      headers: teller.headers,
      payload: {
        items: [
          { transactionId: out1.json().id, outcome: 'SETTLED' },
          { transactionId: out2.json().id, outcome: 'RETURNED', reason: 'account closed' },
          { transactionId: out1.json().id, outcome: 'SETTLED' },
        ],
      },
    });
    expect(settle.statusCode).toBe(200);
    expect(settle.json().items.map((i: { status: string }) => i.status)).toEqual([
      'COMPLETED',
      'FAILED',
      'REFUSED',
    ]);
    expect(await balanceOf(t.app, alice, a.id)).toMatchObject({
      balance: '70.00',
      availableBalance: '70.00',
    });
    expect(await verified()).toBe('ok');
  });

  it('credits an inbound external payment', async () => {
    const a = await openAccount(t.app, alice);
    const res = await post(t.app, teller, '/api/v1/external/inbound', {
      toAccountNumber: a.accountNumber,
      amount: '12.34',
      currency: 'USD',
      counterparty: { bankCode: 'OTHRGB2L', accountNumber: 'GB29NWBK60161331926819', name: 'Employer Ltd' },
      description: 'Salary',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ type: 'EXTERNAL_IN', status: 'COMPLETED', amount: '12.34' });
    expect((await balanceOf(t.app, alice, a.id)).balance).toBe('12.34');
  });
});

describe('history and labels', () => {
  it('filters and pages with a stable cursor', async () => {
    const a = await openAccount(t.app, alice);
    for (let i = 1; i <= 7; i++) await deposit(t.app, alice, a.id, `${i}.00`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/accounts/${a.id}/transactions?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.app.inject({ url, headers: alice.headers });
      expect(page.statusCode).toBe(200);
      seen.push(...page.json().items.map((x: { amount: string }) => x.amount));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(['7.00', '6.00', '5.00', '4.00', '3.00', '2.00', '1.00']);
    const filtered = await t.app.inject({
      url: `/api/v1/accounts/${a.id}/transactions?minAmount=3.00&maxAmount=5.00`,
      headers: alice.headers,
    });
    expect(filtered.json().items.map((x: { amount: string }) => x.amount)).toEqual(['5.00', '4.00', '3.00']);
    const bad = await t.app.inject({
      url: `/api/v1/accounts/${a.id}/transactions?cursor=garbage`,
      headers: alice.headers,
    });
    expect(bad.json().code).toBe('INVALID_REQUEST');
    const badDates = await t.app.inject({
      url: `/api/v1/accounts/${a.id}/transactions?from=2026-02-01&to=2026-01-01`,
      headers: alice.headers,
    });
    expect(badDates.statusCode).toBe(400);
  });

  it('pages through rows within one millisecond without skipping any', async () => {
    const a = await openAccount(t.app, alice);
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const id = randomUUID();
      ids.push(id);
      await t.db.pool.query(
        `insert into transactions (id, reference, type, status, amount, currency, to_account_id, transfer_id, created_at, completed_at)
         values ($1, $2, 'DEPOSIT', 'COMPLETED', $3, 'USD', $4, $1, $5, $5)`,
        [id, `CBTEST${i}${id.slice(0, 6)}`, i * 100, a.id, `2026-01-01T00:00:00.000${i}00Z`],
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/accounts/${a.id}/transactions?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.app.inject({ url, headers: alice.headers });
      seen.push(...page.json().items.map((x: { id: string }) => x.id));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('lets the owner set category and tags; others get 404', async () => {
    const a = await openAccount(t.app, alice);
    const dep = await post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '1.00' });
    const id = dep.json().id;
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/transactions/${id}`,
      headers: alice.headers,
      payload: { category: 'gifts', tags: ['birthday', 'birthday', 'family'] },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ category: 'gifts', tags: ['birthday', 'family'] });
    expect(
      (
        await t.app.inject({
          url: `/api/v1/accounts/${a.id}/transactions?tag=family`,
          headers: alice.headers,
        })
      ).json().items,
    ).toHaveLength(1);
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v1/transactions/${id}`,
          headers: bob.headers,
          payload: { category: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/transactions/${id}`, headers: bob.headers })).statusCode).toBe(
      404,
    );
    expect(
      (await t.app.inject({ url: `/api/v1/accounts/${a.id}/transactions`, headers: bob.headers })).statusCode,
    ).toBe(404);
  });
});

describe('JSON columns', () => {
  // Batch statements pass JSON columns as one JSON array (src/platform/db/json-column.ts): what
  // a client sent must come back exactly, quotes, backslashes and all, in the reply, its replay,
  // the stored row, the outbox and the audit chain.
  it('keep text with quotes, backslashes and non-ASCII exactly', async () => {
    const a = await openAccount(t.app, alice);
    await deposit(t.app, alice, a.id, '50.00');
    const awkward = `Zoë "the \\ payee" O'Brien \\"x\\" 日本 \\u0041`;
    const userAgent = `agent "quoted" \\ back\\slash`;
    const key = randomUUID();
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/transfers',
        headers: { ...alice.headers, 'idempotency-key': key, 'user-agent': userAgent },
        payload: {
          fromAccountId: a.id,
          toExternal: { bankCode: 'OTHRGB2L', accountNumber: 'GB29NWBK60161331926819', name: awkward },
          amount: '5.00',
          description: awkward,
          tags: ['rent', 'Zoë 2'],
        },
      });
    const first = await send();
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      counterparty: { name: awkward },
      description: awkward,
      tags: ['rent', 'Zoë 2'],
    });
    const replay = await send();
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);

    const id = first.json().id as string;
    const { rows } = await t.db.pool.query<{
      counterparty: { name: string };
      channel: { userAgent: string };
      tags: string[];
    }>('select counterparty, channel, tags from transactions where id = $1', [id]);
    expect(rows[0]?.counterparty.name).toBe(awkward);
    expect(rows[0]?.channel.userAgent).toBe(userAgent);
    expect(rows[0]?.tags).toEqual(['rent', 'Zoë 2']);
    const events = await t.db.pool.query<{ payload: { transactionId: string } }>(
      'select payload from outbox_events where aggregate_id = $1',
      [id],
    );
    expect(events.rows.map((e) => e.payload.transactionId)).toEqual([id]);
    // No "before" is SQL NULL, not the JSON value null.
    const audit = await t.db.pool.query<{ no_before: boolean; after: { type: string; amount: string } }>(
      `select before is null as no_before, after from audit_log where entity_id = $1`,
      [id],
    );
    expect(audit.rows).toEqual([
      { no_before: true, after: expect.objectContaining({ type: 'EXTERNAL_OUT', amount: '500' }) },
    ]);
    // A screened payment stores its risk; a deposit has no counterparty and no risk: SQL NULL.
    const dep = await post(t.app, alice, '/api/v1/deposits', { accountId: a.id, amount: '1.00' });
    expect(dep.statusCode).toBe(201);
    const nulls = await t.db.pool.query<{ id: string; no_counterparty: boolean; no_risk: boolean }>(
      `select id, counterparty is null as no_counterparty, risk is null as no_risk
         from transactions where id = any($1::uuid[])`,
      [[id, dep.json().id]],
    );
    expect(new Map(nulls.rows.map((r) => [r.id, [r.no_counterparty, r.no_risk]]))).toEqual(
      new Map([
        [id, [false, false]],
        [dep.json().id, [true, true]],
      ]),
    );
    expect(await verified()).toBe('ok');
  });
});
