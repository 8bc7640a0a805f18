// Bad input never changes anything: malformed JSON, wrong types, unknown fields → 400
// problem+json; a body over 1 MiB → 413 problem+json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './helpers/app.js';
import { PASSWORD, createAuthTestApp, registerCustomer, uniqueEmail, type SignedIn } from './helpers/auth.js';
import { balanceOf, deposit, openAccount, post } from './payments/helpers.js';

let t: TestApp;
let c: SignedIn;
beforeAll(async () => {
  t = await createAuthTestApp();
  c = await registerCustomer(t.app);
});
afterAll(async () => t?.close());

async function counts() {
  const { rows } = await t.db.pool.query(
    `select (select count(*) from users)::int as users, (select count(*) from customers)::int as customers,
            (select count(*) from accounts)::int as accounts, (select count(*) from sessions)::int as sessions,
            (select updated_at from customers where id = $1) as profile`,
    [c.customerId],
  );
  return rows[0];
}

const routes: { method: 'POST' | 'PATCH'; url: string; auth: boolean }[] = [
  { method: 'POST', url: '/api/v1/auth/register', auth: false },
  { method: 'POST', url: '/api/v1/auth/login', auth: false },
  { method: 'PATCH', url: '/api/v1/me/profile', auth: true },
  { method: 'POST', url: '/api/v1/accounts', auth: true },
];

describe.each(routes)('$method $url', ({ method, url, auth }) => {
  const headers = () => ({ 'content-type': 'application/json', ...(auth ? c.headers : {}) });
  const send = (payload: string) => t.app.inject({ method, url, headers: headers(), payload });

  it.each([
    ['malformed JSON', '{"email": '],
    ['a JSON array', '[]'],
    ['a JSON string', '"hello"'],
    [
      'wrong types',
      JSON.stringify({ email: 42, password: true, fullName: [], type: 1, currency: {}, phone: 5 }),
    ],
    ['an unknown field', JSON.stringify({ surprise: 'yes' })],
    ['arrays nested 200,000 deep', '['.repeat(200_000) + ']'.repeat(200_000)],
    [
      'a NUL character in a string',
      JSON.stringify({ email: uniqueEmail(), password: PASSWORD, fullName: 'Zoë\u0000', type: 'CHECKING' }),
    ],
  ])('answers %s with 400 problem+json and changes nothing', async (_what, payload) => {
    const before = await counts();
    const res = await send(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: 'INVALID_REQUEST', requestId: expect.any(String) });
    expect(await counts()).toEqual(before);
  });

  it('answers a body over 1 MiB with 413 problem+json and changes nothing', async () => {
    const before = await counts();
    const res = await send(JSON.stringify({ fullName: 'x'.repeat(1024 * 1024 + 10) }));
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(await counts()).toEqual(before);
  });
});

describe('other bad input', () => {
  it('refuses a non-JSON body with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'application/xml' },
      payload: '<email>a@b.c</email>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses unknown query parameters and wrong path parameter types with 400', async () => {
    for (const url of [
      '/api/v1/accounts?sort=desc',
      '/api/v1/accounts/123',
      '/api/v1/accounts?customerId=1',
    ]) {
      const res = await t.app.inject({ url, headers: c.headers });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code).toBe('INVALID_REQUEST');
    }
  });

  it('refuses an invalid email or a missing field at registration', async () => {
    for (const payload of [
      { email: 'not-an-email', password: PASSWORD, fullName: 'X' },
      { email: uniqueEmail(), password: PASSWORD },
      { email: uniqueEmail(), password: PASSWORD, fullName: 'X', dateOfBirth: '31/12/1990' },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors.length).toBeGreaterThan(0);
    }
  });

  it('refuses text PostgreSQL cannot store (NUL, an unpaired surrogate) anywhere in a request: 400, nothing changes', async () => {
    const a = await openAccount(t.app, c);
    const b = await openAccount(t.app, c);
    await deposit(t.app, c, a.id, '10.00');
    const transfer = await post(t.app, c, '/api/v1/transfers', {
      fromAccountId: a.id,
      toAccountId: b.id,
      amount: '1.00',
      description: 'rent\u0000',
    });
    expect(transfer.statusCode).toBe(400);
    expect(transfer.json()).toMatchObject({
      code: 'INVALID_REQUEST',
      errors: [{ path: 'body.description', message: expect.stringContaining('U+0000') }],
    });
    // An unpaired surrogate has no UTF-8 form: jsonb refused the payee's name (a 500), and a
    // text column would have stored U+FFFD instead of the description sent.
    for (const body of [
      { toAccountId: b.id, description: 'rent \ud800' },
      { toExternal: { bankCode: 'OTHRGB2L', accountNumber: 'GB29NWBK60161331926819', name: 'Mia \udc00' } },
    ]) {
      const res = await post(t.app, c, '/api/v1/transfers', { fromAccountId: a.id, amount: '1.00', ...body });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].message).toContain('unpaired surrogate');
    }
    expect((await balanceOf(t.app, c, a.id)).balance).toBe('10.00');

    const before = await counts();
    const profile = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me/profile',
      headers: c.headers,
      payload: { address: { line1: 'Main St\u0000 1', city: 'Oslo', postalCode: '0150', country: 'NO' } },
    });
    expect(profile.statusCode).toBe(400);
    expect(profile.json().errors).toEqual([
      { path: 'body.address.line1', message: expect.stringContaining('U+0000') },
    ]);
    expect(await counts()).toEqual(before);

    const query = await t.app.inject({
      url: `/api/v1/accounts/${a.id}/transactions?tag=a%00`,
      headers: c.headers,
    });
    expect(query.statusCode).toBe(400);
    expect(query.json().errors[0].path).toBe('query.tag');
  });
});
