// GET /api/v1/accounts/:id/statement over HTTP, on a history spread over months: the JSON
// numbers, period bounds at the first and last microsecond, CSV that parses back (RFC 4180)
// to the same lines, a PDF whose text holds every line, the totals and "Page n of m", who may
// read whose statement (another customer's is 404), and bad input (400, nothing stored).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from '../helpers/auth.js';
import { CSV_HEADER } from '../../src/modules/statements/csv.js';
import { deposit, transfer, vaultOf, withdrawal, writeHistory, type HistoryRow } from './fixtures.js';
import { parseCsv, pdfText } from './parse.js';

let t: TestApp;
let alice: SignedIn;
let bob: SignedIn;
let teller: SignedIn;
let aliceAccount: { id: string; accountNumber: string };
let bobAccount: { id: string; accountNumber: string };
const marchLines = 150;

async function open(who: SignedIn) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: who.headers,
    payload: { type: 'CHECKING', currency: 'USD' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; accountNumber: string };
}

beforeAll(async () => {
  t = await createAuthTestApp();
  alice = await registerCustomer(t.app, { fullName: 'Alice Example' });
  bob = await registerCustomer(t.app, { fullName: 'Bob Example' });
  teller = await createStaff(t, 'teller');
  const profile = await t.app.inject({
    method: 'PATCH',
    url: '/api/v1/me/profile',
    headers: alice.headers,
    payload: { address: { line1: '1 Ledger Lane', city: 'Zürich', postalCode: '8001', country: 'CH' } },
  });
  expect(profile.statusCode, profile.body).toBe(200);
  aliceAccount = await open(alice);
  bobAccount = await open(bob);
  const vault = await vaultOf(t.db.pool);
  const a = aliceAccount.id;
  const b = bobAccount.id;
  const history: HistoryRow[] = [
    deposit(vault, a, 100_000n, '2023-12-20T09:00:00Z', 'Opening deposit'),
    deposit(vault, b, 50_000n, '2023-12-21T09:00:00Z'),
    deposit(vault, a, 25_000n, '2024-01-01T00:00:00Z', 'Salary, January'),
    withdrawal(a, vault, 4_000n, '2024-01-05T12:00:00Z', 'groceries', 'He said "hi", then left'),
    transfer(a, b, 10_000n, '2024-01-10T08:30:00Z', 'rent', 'Rent\r\nJanuary'),
    transfer(b, a, 3_000n, '2024-01-12T18:45:00Z'),
    withdrawal(a, vault, 1_234n, '2024-01-15T10:00:00Z', 'fun', '=HYPERLINK("http://evil.example","click")'),
    deposit(vault, a, 5n, '2024-01-20T10:00:00Z', 'Café – “naïve” € 日本'),
    withdrawal(a, vault, 100n, '2024-01-31T23:59:59.999999Z'),
    deposit(vault, a, 700n, '2024-02-01T00:00:00Z'),
  ];
  for (let i = 0; i < marchLines; i++) {
    const at = new Date(Date.UTC(2024, 2, 1) + i * 4 * 3_600_000).toISOString();
    history.push(
      i % 3 === 2
        ? withdrawal(a, vault, BigInt(100 + i), at, 'shopping', `Card payment #${i} at a shop with a very long name that will not fit the column`)
        : deposit(vault, a, BigInt(1_000 + i * 7), at, `Credit ${i}`),
    ); // prettier-ignore
  }
  await writeHistory(t.db.pool, history);
});
afterAll(async () => t?.close());

const get = (who: SignedIn | null, url: string) =>
  t.app.inject({ method: 'GET', url, headers: who ? who.headers : {} });
/** "1234567.50" → "1,234,567.50", as the PDF shows amounts. */
const grouped = (d: string) => d.replace(/\B(?=(\d{3})+(?!\d))(?=\d*\.)/g, ',');
const statementUrl = (id: string, query: string) => `/api/v1/accounts/${id}/statement?${query}`;

interface LineJson {
  entryId: string;
  date: string;
  transactionId: string | null;
  reference: string | null;
  type: string;
  description: string;
  category: string | null;
  counterparty: string | null;
  amount: string;
  balance: string;
}

describe('JSON statement', () => {
  it('has the opening balance, every line of the period with its running balance, totals and closing', async () => {
    const res = await get(alice, statementUrl(aliceAccount.id, 'from=2024-01-01&to=2024-01-31'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const s = res.json();
    expect(s).toMatchObject({
      account: {
        id: aliceAccount.id,
        accountNumber: `****${aliceAccount.accountNumber.slice(-4)}`,
        currency: 'USD',
      },
      customer: { fullName: 'Alice Example' },
      period: { from: '2024-01-01T00:00:00.000000Z', to: '2024-01-31T23:59:59.999999Z' },
      openingBalance: '1000.00',
      totalIn: '280.05',
      totalOut: '153.34',
      closingBalance: '1126.71',
      lineCount: 7,
    });
    const lines = s.lines as LineJson[];
    expect(lines.map((l) => [l.date.slice(0, 10), l.type, l.amount, l.balance])).toEqual([
      ['2024-01-01', 'DEPOSIT', '250.00', '1250.00'],
      ['2024-01-05', 'WITHDRAWAL', '-40.00', '1210.00'],
      ['2024-01-10', 'TRANSFER', '-100.00', '1110.00'],
      ['2024-01-12', 'TRANSFER', '30.00', '1140.00'],
      ['2024-01-15', 'WITHDRAWAL', '-12.34', '1127.66'],
      ['2024-01-20', 'DEPOSIT', '0.05', '1127.71'],
      ['2024-01-31', 'WITHDRAWAL', '-1.00', '1126.71'],
    ]);
    const bobMasked = `****${bobAccount.accountNumber.slice(-4)}`;
    expect(lines[0]).toMatchObject({ description: 'Salary, January', category: null, counterparty: null });
    expect(lines[2]).toMatchObject({
      description: 'Rent\r\nJanuary',
      category: 'rent',
      counterparty: bobMasked,
    });
    expect(lines[3]).toMatchObject({ description: `Transfer from ${bobMasked}`, counterparty: bobMasked });
    expect(lines[6]).toMatchObject({ description: 'Withdrawal' });
    expect(lines.every((l) => l.transactionId !== null && l.reference !== null)).toBe(true);
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('cuts the period at the exact microsecond', async () => {
    const just = await get(
      alice,
      statementUrl(aliceAccount.id, 'from=2024-01-31T23:59:59.999999Z&to=2024-02-01T00:00:00Z'),
    );
    expect(just.json()).toMatchObject({ openingBalance: '1127.71', closingBalance: '1133.71', lineCount: 2 });
    const before = await get(
      alice,
      statementUrl(aliceAccount.id, 'from=2024-01-01T00:00:00.000001Z&to=2024-01-31T23:59:59.999998Z'),
    );
    expect(before.json()).toMatchObject({
      openingBalance: '1250.00',
      closingBalance: '1127.71',
      lineCount: 5,
    });
    const empty = await get(alice, statementUrl(aliceAccount.id, 'from=2024-02-02&to=2024-02-29'));
    expect(empty.json()).toMatchObject({
      openingBalance: '1133.71',
      closingBalance: '1133.71',
      lineCount: 0,
    });
  });

  it('closes at the current balance when nothing was posted after the period', async () => {
    const res = await get(alice, statementUrl(aliceAccount.id, 'from=2023-12-01T00:00:00Z&to=2024-11-30'));
    const balance = (await get(alice, `/api/v1/accounts/${aliceAccount.id}/balance`)).json().balance;
    expect(res.json().closingBalance).toBe(balance);
    expect(res.json().lineCount).toBe(9 + marchLines);
  });
});

describe('CSV statement', () => {
  it('is RFC 4180 UTF-8 with a BOM and parses back to the same lines', async () => {
    const query = 'from=2024-01-01&to=2024-03-31';
    const [json, csv] = await Promise.all([
      get(alice, statementUrl(aliceAccount.id, query)),
      get(alice, statementUrl(aliceAccount.id, `${query}&format=csv`)),
    ]);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="statement-${aliceAccount.accountNumber.slice(-4)}-2024-01-01-2024-03-31.csv"`,
    );
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(csv.rawPayload.subarray(3).toString('utf8'));
    expect(records[0]).toEqual([...CSV_HEADER]);
    const lines = json.json().lines as LineJson[];
    expect(records).toHaveLength(lines.length + 1);
    const text = (v: string | null) => (v === null ? '' : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    expect(records.slice(1)).toEqual(
      lines.map((l) => [
        l.date,
        l.type,
        text(l.description),
        text(l.category),
        text(l.counterparty),
        text(l.reference),
        l.amount,
        l.balance,
        'USD',
      ]),
    );
    // The awkward ones, as a spreadsheet will read them.
    const byDesc = (d: string) => records.find((r) => r[2] === d);
    expect(byDesc('He said "hi", then left')).toBeDefined();
    expect(byDesc('Rent\r\nJanuary')).toBeDefined();
    expect(byDesc('\'=HYPERLINK("http://evil.example","click")')).toBeDefined();
    expect(byDesc('Café – “naïve” € 日本')).toBeDefined();
    // Amounts are plain decimals.
    for (const r of records.slice(1)) {
      expect(r[6]).toMatch(/^-?\d+\.\d{2}$/);
      expect(r[7]).toMatch(/^-?\d+\.\d{2}$/);
    }
  });

  it('of an empty period is the header alone', async () => {
    const csv = await get(alice, statementUrl(aliceAccount.id, 'from=2024-02-02&to=2024-02-29&format=csv'));
    expect(parseCsv(csv.rawPayload.subarray(3).toString('utf8'))).toEqual([[...CSV_HEADER]]);
  });
});

describe('PDF statement', () => {
  it('is a text-extractable bank statement with the closing balance', async () => {
    const res = await get(alice, statementUrl(aliceAccount.id, 'from=2024-01-01&to=2024-01-31&format=pdf'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="statement-\d{4}-2024-01-01-2024-01-31\.pdf"$/,
    );
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const { pages } = pdfText(res.rawPayload);
    expect(pages).toHaveLength(1);
    const text = pages[0]!;
    const masked = `****${aliceAccount.accountNumber.slice(-4)}`;
    for (const s of [
      'Corebank',
      'Account statement',
      'Alice Example',
      '1 Ledger Lane',
      '8001 Zürich',
      masked,
    ]) {
      expect(text).toContain(s);
    }
    expect(text).toContain('2024-01-01 to 2024-01-31');
    expect(text).toContain('Closing balance');
    expect(text).toContain('1,126.71');
    expect(text).toContain('1,126.71 USD');
    expect(text).toContain('1,000.00 USD'); // opening
    expect(text).toContain('280.05');
    expect(text).toContain('153.34');
    expect(text).toContain('Page 1 of 1');
    expect(text).toContain('Salary, January');
    expect(text).toContain('Café – “naïve” € ??'); // what Helvetica cannot show becomes '?'
  });

  it('paginates with the table header and "Page n of m" on every page and every line in order', async () => {
    const [json, pdf] = await Promise.all([
      get(alice, statementUrl(aliceAccount.id, 'from=2024-03-01&to=2024-03-31')),
      get(alice, statementUrl(aliceAccount.id, 'from=2024-03-01&to=2024-03-31&format=pdf')),
    ]);
    const lines = json.json().lines as LineJson[];
    expect(lines).toHaveLength(marchLines);
    const { pages } = pdfText(pdf.rawPayload);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((p, i) => {
      expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
      if (i < pages.length - 1 || p.includes('Balance'))
        expect(p.filter((s) => s === 'Description')).toHaveLength(1);
    });
    // Every balance, in order, across the pages.
    const all = pages.flat();
    let from = 0;
    for (const l of lines) {
      const shown = grouped(l.balance);
      const at = all.indexOf(shown, from);
      expect(at, `balance ${shown}`).toBeGreaterThan(-1);
      from = at + 1;
    }
    const last = pages.at(-1)!;
    expect(last).toContain('Totals');
    expect(last).toContain(grouped(json.json().closingBalance));
    // Long descriptions are cut to the column with an ellipsis.
    expect(all.some((s) => s.startsWith('Card payment #2 at a shop') && s.endsWith('…'))).toBe(true);
  });
});

describe('who may read a statement', () => {
  it('another customer gets 404, as for an account that does not exist', async () => {
    for (const id of [aliceAccount.id, randomUUID()]) {
      for (const format of ['json', 'csv', 'pdf']) {
        const res = await get(bob, statementUrl(id, `from=2024-01-01&to=2024-01-31&format=${format}`));
        expect(res.statusCode).toBe(404);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().code).toBe('NOT_FOUND');
      }
    }
  });

  it('without a token is 401', async () => {
    const res = await get(null, statementUrl(aliceAccount.id, 'from=2024-01-01&to=2024-01-31'));
    expect(res.statusCode).toBe(401);
  });

  it('staff may, and the read is audited', async () => {
    const res = await get(teller, statementUrl(aliceAccount.id, 'from=2024-01-01&to=2024-01-31&format=csv'));
    expect(res.statusCode).toBe(200);
    const { rows } = await t.db.pool.query(
      `select actor_id, action, after from audit_log where entity_id = $1 and action = 'account.statement_read'`,
      [aliceAccount.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: teller.userId, after: { format: 'csv', lines: 7 } });
  });

  it('the owner reading their own is not audited as a staff read', async () => {
    const { rows } = await t.db.pool.query(
      `select count(*)::int as n from audit_log where entity_id = $1 and action = 'account.statement_read' and actor_id = $2`,
      [aliceAccount.id, alice.userId],
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('bad input is 400 problem+json and changes nothing', () => {
  it.each([
    ['from after to', 'from=2024-02-01&to=2024-01-31', 'querystring.from'],
    ['a period over STATEMENT_MAX_DAYS', 'from=2023-01-01&to=2024-01-02', 'querystring.to'],
    ['an unknown format', 'from=2024-01-01&to=2024-01-31&format=xml', 'querystring.format'],
    ['an impossible date', 'from=2024-02-30&to=2024-03-31', 'querystring.from'],
    ['a malformed date', 'from=01/02/2024&to=2024-03-31', 'querystring.from'],
    ['a date-time without a zone', 'from=2024-01-01T00:00:00&to=2024-03-31', 'querystring.from'],
    ['a malformed to', 'from=2024-01-01&to=tomorrow', 'querystring.to'],
    ['an unknown parameter', 'from=2024-01-01&to=2024-01-31&fmt=csv', 'querystring'],
  ])('%s', async (_name, query, path) => {
    const before = await t.db.pool.query(
      'select (select count(*) from audit_log) as audit, (select count(*) from saved_reports) as saved',
    );
    const res = await get(teller, statementUrl(aliceAccount.id, query));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({
      status: 400,
      code: 'INVALID_REQUEST',
      type: 'https://corebank.dev/errors/INVALID_REQUEST',
    });
    expect(problem.errors?.map((e: { path: string }) => e.path).join(' ')).toContain(path);
    const after = await t.db.pool.query(
      'select (select count(*) from audit_log) as audit, (select count(*) from saved_reports) as saved',
    );
    expect(after.rows).toEqual(before.rows);
  });

  it('honours a configured STATEMENT_MAX_DAYS', async () => {
    const short = await createAuthTestApp({ STATEMENT_MAX_DAYS: '31' });
    try {
      const who = await registerCustomer(short.app);
      const account = await short.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        headers: who.headers,
        payload: { type: 'CHECKING', currency: 'USD' },
      });
      const url = (q: string) => `/api/v1/accounts/${account.json().id}/statement?${q}`;
      const ok = await short.app.inject({
        method: 'GET',
        url: url('from=2024-01-01&to=2024-01-31'),
        headers: who.headers,
      });
      expect(ok.statusCode).toBe(200);
      const tooLong = await short.app.inject({
        method: 'GET',
        url: url('from=2024-01-01&to=2024-02-01'),
        headers: who.headers,
      });
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json().detail).toMatch(/at most 31 days/);
    } finally {
      await short.close();
    }
  });
});
