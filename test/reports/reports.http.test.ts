// Reports over HTTP on a known history: the account report (daily balances, months, categories),
// the transaction report (by type and category; averages rounded half-even with bigint), the
// system report (admin only; balances equal the ledger's own sums), saved reports (stored with
// parameters and result, listed with a cursor, fetched again, nobody else's), who may see what
// (another customer's is 404), and bad input (400, nothing stored).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../../src/modules/auth/roles.js';
import type { TestApp } from '../helpers/app.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from '../helpers/auth.js';
import { deposit, transfer, vaultOf, withdrawal, writeHistory } from '../statements/fixtures.js';

let t: TestApp;
let alice: SignedIn;
let bob: SignedIn;
const staff = {} as Record<Exclude<Role, 'customer'>, SignedIn>;
let usd: string; // alice
let eur: string; // alice
let bobUsd: string;

const get = (who: SignedIn | null, url: string) =>
  t.app.inject({ method: 'GET', url, headers: who ? who.headers : {} });

async function open(who: SignedIn, currency: string, type = 'CHECKING'): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: who.headers,
    payload: { type, currency },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

beforeAll(async () => {
  t = await createAuthTestApp();
  alice = await registerCustomer(t.app);
  bob = await registerCustomer(t.app);
  for (const role of roles) if (role !== 'customer') staff[role] = await createStaff(t, role);
  usd = await open(alice, 'USD');
  eur = await open(alice, 'EUR', 'SAVINGS');
  bobUsd = await open(bob, 'USD');
  const vUsd = await vaultOf(t.db.pool, 'USD');
  const vEur = await vaultOf(t.db.pool, 'EUR');
  await writeHistory(t.db.pool, [
    deposit(vUsd, bobUsd, 50_000n, '2023-12-15T12:00:00Z'),
    deposit(vUsd, usd, 100_000n, '2024-01-01T10:00:00Z', 'Salary'),
    withdrawal(usd, vUsd, 1_000n, '2024-01-02T09:00:00Z', 'groceries'),
    withdrawal(usd, vUsd, 2_000n, '2024-01-02T17:00:00Z', 'groceries'),
    transfer(usd, bobUsd, 10_000n, '2024-01-03T08:00:00Z', 'rent'),
    deposit(vEur, eur, 30_000n, '2024-01-05T08:00:00Z'),
    withdrawal(eur, vEur, 5n, '2024-01-06T08:00:00Z', 'groceries'),
    deposit(vUsd, usd, 50_000n, '2024-02-01T00:00:00Z'),
    withdrawal(usd, vUsd, 3n, '2024-02-02T12:00:00Z', 'fees'),
    transfer(bobUsd, usd, 500n, '2024-02-03T12:00:00Z'),
    deposit(vUsd, usd, 99_900n, '2024-03-01T00:00:00Z'), // after the period
  ]);
});
afterAll(async () => t?.close());

const savedCount = async () =>
  Number((await t.db.pool.query<{ n: string }>('select count(*)::text as n from saved_reports')).rows[0]!.n);

describe('account report', () => {
  it('gives daily closing balances, income versus expense per month and spending by category', async () => {
    const res = await get(alice, `/api/v1/reports/accounts/${usd}?from=2024-01-01&to=2024-02-29`);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({
      kind: 'account',
      parameters: { accountId: usd, from: '2024-01-01T00:00:00.000000Z', to: '2024-02-29T23:59:59.999999Z' },
    });
    const r = report.result;
    expect(r.account).toMatchObject({ id: usd, currency: 'USD', type: 'CHECKING' });
    expect(r.account.accountNumber).toMatch(/^\*{4}\d{4}$/);
    const trend = r.balanceTrend as { date: string; balance: string }[];
    expect(trend).toHaveLength(31 + 29);
    const at = (d: string) => trend.find((p) => p.date === d)?.balance;
    expect([at('2024-01-01'), at('2024-01-02'), at('2024-01-03'), at('2024-01-31')]).toEqual([
      '1000.00',
      '970.00',
      '870.00',
      '870.00',
    ]);
    expect([at('2024-02-01'), at('2024-02-02'), at('2024-02-03'), at('2024-02-29')]).toEqual([
      '1370.00',
      '1369.97',
      '1374.97',
      '1374.97',
    ]);
    expect(r.incomeVsExpense).toEqual([
      { month: '2024-01', income: '1000.00', expense: '130.00', net: '870.00', entries: 4 },
      { month: '2024-02', income: '505.00', expense: '0.03', net: '504.97', entries: 3 },
    ]);
    expect(r.totals).toEqual({ income: '1505.00', expense: '130.03', net: '1374.97' });
    expect(r.spendingByCategory).toEqual([
      { category: 'rent', amount: '100.00', count: 1, percent: '76.91' },
      { category: 'groceries', amount: '30.00', count: 2, percent: '23.07' },
      { category: 'fees', amount: '0.03', count: 1, percent: '0.02' },
    ]);
  });

  it('ends the last day of the trend at `to`', async () => {
    const res = await get(alice, `/api/v1/reports/accounts/${usd}?from=2024-01-02&to=2024-01-02T12:00:00Z`);
    expect(res.json().result.balanceTrend).toEqual([{ date: '2024-01-02', balance: '990.00' }]);
  });

  it("is 404 for another customer's account, and open to staff", async () => {
    for (const id of [usd, randomUUID()]) {
      const res = await get(bob, `/api/v1/reports/accounts/${id}?from=2024-01-01&to=2024-01-31`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
    for (const who of Object.values(staff)) {
      expect(
        (await get(who, `/api/v1/reports/accounts/${usd}?from=2024-01-01&to=2024-01-31`)).statusCode,
      ).toBe(200);
    }
  });
});

describe('transaction report', () => {
  it('counts, sums, averages (half-even) and finds the largest per type and category, per currency', async () => {
    const res = await get(alice, '/api/v1/reports/transactions?from=2024-01-01&to=2024-02-29');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json().result;
    expect(r.customerId).toBe(alice.customerId);
    expect([...r.accountIds].sort()).toEqual([usd, eur].sort());
    expect(r.summary).toEqual([
      // 300.05 / 2 = 150.025: half-even gives 150.02
      { currency: 'EUR', count: 2, sum: '300.05', average: '150.02', largest: '300.00' },
      // 1635.03 / 7 = 233.575…
      { currency: 'USD', count: 7, sum: '1635.03', average: '233.58', largest: '1000.00' },
    ]);
    expect(r.byType).toEqual([
      { type: 'DEPOSIT', currency: 'EUR', count: 1, sum: '300.00', average: '300.00', largest: '300.00' },
      { type: 'WITHDRAWAL', currency: 'EUR', count: 1, sum: '0.05', average: '0.05', largest: '0.05' },
      { type: 'DEPOSIT', currency: 'USD', count: 2, sum: '1500.00', average: '750.00', largest: '1000.00' },
      { type: 'TRANSFER', currency: 'USD', count: 2, sum: '105.00', average: '52.50', largest: '100.00' },
      { type: 'WITHDRAWAL', currency: 'USD', count: 3, sum: '30.03', average: '10.01', largest: '20.00' },
    ]);
    expect(r.byCategory).toEqual([
      { category: 'groceries', currency: 'EUR', count: 1, sum: '0.05', average: '0.05', largest: '0.05' },
      {
        category: 'uncategorized',
        currency: 'EUR',
        count: 1,
        sum: '300.00',
        average: '300.00',
        largest: '300.00',
      },
      { category: 'fees', currency: 'USD', count: 1, sum: '0.03', average: '0.03', largest: '0.03' },
      { category: 'groceries', currency: 'USD', count: 2, sum: '30.00', average: '15.00', largest: '20.00' },
      { category: 'rent', currency: 'USD', count: 1, sum: '100.00', average: '100.00', largest: '100.00' },
      // 1505.00 / 3 = 501.666…
      {
        category: 'uncategorized',
        currency: 'USD',
        count: 3,
        sum: '1505.00',
        average: '501.67',
        largest: '1000.00',
      },
    ]);
    expect(r.byStatus).toEqual([{ status: 'COMPLETED', count: 9 }]);
  });

  it('narrows to one account, and rounds a tie to the even cent', async () => {
    const res = await get(
      alice,
      `/api/v1/reports/transactions?from=2024-01-01&to=2024-01-31&accountId=${eur}`,
    );
    const r = res.json().result;
    expect(r.accountIds).toEqual([eur]);
    expect(r.summary).toEqual([
      { currency: 'EUR', count: 2, sum: '300.05', average: '150.02', largest: '300.00' },
    ]);
    expect(res.json().parameters).toMatchObject({ accountId: eur, customerId: alice.customerId });
  });

  it("is 404 for another customer's account or customer id; staff must say whose", async () => {
    expect((await get(bob, `/api/v1/reports/transactions?accountId=${usd}`)).statusCode).toBe(404);
    expect((await get(bob, `/api/v1/reports/transactions?customerId=${alice.customerId}`)).statusCode).toBe(
      404,
    );
    const bobs = (await get(bob, '/api/v1/reports/transactions?from=2024-01-01&to=2024-02-29')).json().result;
    expect(bobs.summary).toEqual([
      { currency: 'USD', count: 2, sum: '105.00', average: '52.50', largest: '100.00' },
    ]);

    const none = await get(staff.teller, '/api/v1/reports/transactions?from=2024-01-01&to=2024-02-29');
    expect(none.statusCode).toBe(400);
    expect(none.json().errors[0].path).toBe('querystring.customerId');
    const forAlice = await get(
      staff.analyst,
      `/api/v1/reports/transactions?from=2024-01-01&to=2024-02-29&customerId=${alice.customerId}`,
    );
    expect(forAlice.json().result.summary).toHaveLength(2);
    const unknown = await get(staff.teller, `/api/v1/reports/transactions?customerId=${randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
  });
});

describe('system report', () => {
  it('is for admins only', async () => {
    for (const who of [alice, staff.teller, staff.analyst, staff.auditor]) {
      const res = await get(who, '/api/v1/reports/system');
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect((await get(null, '/api/v1/reports/system')).statusCode).toBe(401);
  });

  it("has users, accounts, balances equal to the ledger's own sums, and daily volumes", async () => {
    const res = await get(staff.admin, '/api/v1/reports/system?from=2024-01-01&to=2024-02-29');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json().result;

    const { rows: users } = await t.db.pool.query<{ role: string; status: string; count: number }>(
      'select role, status, count(*)::int as count from users group by 1, 2 order by 1, 2',
    );
    expect(r.users.byRoleAndStatus).toEqual(users);
    expect(r.users.total).toBe(users.reduce((s, u) => s + u.count, 0));
    expect(r.users.byRole.find((x: { role: string }) => x.role === 'customer').count).toBeGreaterThanOrEqual(
      2,
    );

    expect(r.accounts.total).toBe(3);
    expect(r.accounts.byType).toEqual([
      { type: 'CHECKING', count: 2, percent: '66.67' },
      { type: 'SAVINGS', count: 1, percent: '33.33' },
    ]);
    expect(r.accounts.byStatus).toEqual([{ status: 'ACTIVE', count: 3 }]);

    // The ledger's own sums: every entry ever posted to a customer account, per currency.
    const { rows: ledger } = await t.db.pool.query<{ currency: string; total: string }>(
      `select l.currency, (sum(e.amount)::numeric / 100)::numeric(20, 2)::text as total
       from ledger_entries e join ledger_accounts l on l.id = e.account_id
       where l.purpose = 'CUSTOMER' group by 1 order by 1`,
    );
    expect(
      r.balances.map((b: { currency: string; totalBalance: string }) => [b.currency, b.totalBalance]),
    ).toEqual(ledger.map((l) => [l.currency, l.total]));
    expect(r.balances).toEqual([
      {
        currency: 'EUR',
        accounts: 1,
        totalBalance: '299.95',
        ledgerCustomerBalance: '299.95',
        ledgerBankBalance: '-299.95',
        matchesLedger: true,
        ledgerBalanced: true,
      },
      {
        currency: 'USD',
        accounts: 2,
        totalBalance: '2968.97',
        ledgerCustomerBalance: '2968.97',
        ledgerBankBalance: '-2968.97',
        matchesLedger: true,
        ledgerBalanced: true,
      },
    ]);
    // …and the product API says the same, account by account.
    const balances = await Promise.all(
      [
        [alice, usd],
        [alice, eur],
        [bob, bobUsd],
      ].map(async ([who, id]) =>
        (await get(who as SignedIn, `/api/v1/accounts/${id as string}/balance`)).json(),
      ),
    );
    const usdCents = balances
      .filter((b) => b.currency === 'USD')
      .reduce((s: bigint, b: { balance: string }) => s + BigInt(b.balance.replace('.', '')), 0n);
    expect(usdCents).toBe(296_897n);

    expect(r.transactionVolumes).toEqual([
      { date: '2024-01-01', type: 'DEPOSIT', currency: 'USD', count: 1, sum: '1000.00' },
      { date: '2024-01-02', type: 'WITHDRAWAL', currency: 'USD', count: 2, sum: '30.00' },
      { date: '2024-01-03', type: 'TRANSFER', currency: 'USD', count: 1, sum: '100.00' },
      { date: '2024-01-05', type: 'DEPOSIT', currency: 'EUR', count: 1, sum: '300.00' },
      { date: '2024-01-06', type: 'WITHDRAWAL', currency: 'EUR', count: 1, sum: '0.05' },
      { date: '2024-02-01', type: 'DEPOSIT', currency: 'USD', count: 1, sum: '500.00' },
      { date: '2024-02-02', type: 'WITHDRAWAL', currency: 'USD', count: 1, sum: '0.03' },
      { date: '2024-02-03', type: 'TRANSFER', currency: 'USD', count: 1, sum: '5.00' },
    ]);
  });

  it("counts fraud alerts by status, and says when the fraud module's table is missing", async () => {
    const fraudAlerts = async () =>
      (await get(staff.admin, '/api/v1/reports/system')).json().result.fraudAlerts;
    // Without the table (a database where the fraud module has not run): not available, zero.
    await t.db.pool.query('alter table fraud_alerts rename to fraud_alerts_hidden');
    try {
      expect(await fraudAlerts()).toEqual({ available: false, total: 0, byStatus: [] });
    } finally {
      await t.db.pool.query('alter table fraud_alerts_hidden rename to fraud_alerts');
    }
    expect(await fraudAlerts()).toEqual({ available: true, total: 0, byStatus: [] });
    // Three alerts on alice's transactions, as the fraud module records them.
    const { rows: txs } = await t.db.pool.query<{ id: string; amount: string }>(
      `select id, amount::text from transactions where to_account_id = $1 or from_account_id = $1 order by created_at limit 3`,
      [usd],
    );
    for (const [i, status] of ['OPEN', 'OPEN', 'FALSE_POSITIVE'].entries()) {
      await t.db.pool.query(
        `insert into fraud_alerts (id, transaction_id, account_id, customer_id, status, score, recommendation, reasons,
                                   amount, currency, closed_at)
         values ($1, $2, $3, $4, $5, 40, 'FLAG_FOR_REVIEW', '[]', $6, 'USD', $7)`,
        [
          randomUUID(),
          txs[i]!.id,
          usd,
          alice.customerId,
          status,
          txs[i]!.amount,
          status === 'OPEN' ? null : new Date().toISOString(),
        ],
      );
    }
    expect(await fraudAlerts()).toEqual({
      available: true,
      total: 3,
      byStatus: [
        { status: 'FALSE_POSITIVE', count: 1 },
        { status: 'OPEN', count: 2 },
      ],
    });
  });
});

describe('saved reports', () => {
  it('stores what was generated, and gives it back to its owner only', async () => {
    const made = (await get(alice, `/api/v1/reports/accounts/${eur}?from=2024-01-01&to=2024-01-31`)).json();
    const { rows } = await t.db.pool.query(
      'select kind, owner_user_id, parameters, result from saved_reports where id = $1',
      [made.id],
    );
    expect(rows[0]).toEqual({
      kind: 'account',
      owner_user_id: alice.userId,
      parameters: made.parameters,
      result: made.result,
    });
    const again = await get(alice, `/api/v1/reports/${made.id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(made);
    const audit = await t.db.pool.query(`select actor_id, action from audit_log where entity_id = $1`, [
      made.id,
    ]);
    expect(audit.rows).toEqual([{ actor_id: alice.userId, action: 'report.generated' }]);

    for (const other of [bob, staff.admin, staff.auditor]) {
      const res = await get(other, `/api/v1/reports/${made.id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
    expect((await get(alice, `/api/v1/reports/${randomUUID()}`)).statusCode).toBe(404);
  });

  it("lists the caller's own, newest first, page by page", async () => {
    const carol = await registerCustomer(t.app);
    const account = await open(carol, 'USD');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const url =
        i % 2 === 0
          ? `/api/v1/reports/accounts/${account}?from=2024-01-0${i + 1}&to=2024-01-31`
          : `/api/v1/reports/transactions?from=2024-01-0${i + 1}&to=2024-01-31`;
      const res = await get(carol, url);
      expect(res.statusCode, res.body).toBe(200);
      ids.push(res.json().id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        statusCode: number;
        json(): { items: { id: string; result?: unknown }[]; nextCursor: string | null };
      } = await get(carol, `/api/v1/reports?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      for (const item of body.items) expect(item).not.toHaveProperty('result');
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const accountsOnly = (await get(carol, '/api/v1/reports?kind=account')).json();
    expect(accountsOnly.items.map((i: { id: string }) => i.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect(
      (await get(bob, '/api/v1/reports?limit=200')).json().items.map((i: { id: string }) => i.id),
    ).not.toContain(ids[0]);
    expect((await get(carol, '/api/v1/reports?cursor=bm9wZQ')).statusCode).toBe(400);
  });
});

describe('bad input is 400 problem+json and stores nothing', () => {
  const cases: [string, () => string, string][] = [
    [
      'from after to',
      () => `/api/v1/reports/accounts/${usd}?from=2024-02-01&to=2024-01-01`,
      'querystring.from',
    ],
    [
      'a period too long',
      () => `/api/v1/reports/transactions?from=2023-01-01&to=2024-06-30`,
      'querystring.to',
    ],
    ['a malformed date', () => `/api/v1/reports/system?from=2024-01-01&to=31.01.2024`, 'querystring.to'],
    ['an impossible date', () => `/api/v1/reports/transactions?from=2023-02-29`, 'querystring.from'],
    ['an unknown parameter', () => `/api/v1/reports/accounts/${usd}?format=csv`, 'querystring'],
    ['a bad account id', () => `/api/v1/reports/transactions?accountId=42`, 'querystring.accountId'],
    ['a bad kind', () => `/api/v1/reports?kind=weekly`, 'querystring.kind'],
    ['a bad limit', () => `/api/v1/reports?limit=1000`, 'querystring.limit'],
  ];
  it.each(cases)('%s', async (_name, url, path) => {
    const saved = await savedCount();
    const res = await get(url().includes('/system') ? staff.admin : alice, url());
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .join(' '),
    ).toContain(path);
    expect(await savedCount()).toBe(saved);
  });
});
