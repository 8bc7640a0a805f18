// Identity over HTTP: registration, login, tokens, refresh rotation and reuse, logout,
// lockout, rate limits, password change, TOTP, browser cookies and CSRF.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argon2Params } from '../src/modules/auth/passwords.js';
import { signAccessToken } from '../src/modules/auth/tokens.js';
import { totp, base32Decode } from '../src/modules/auth/totp.js';
import type { TestApp } from './helpers/app.js';
import {
  PASSWORD,
  cookiesOf,
  createAuthTestApp,
  createStaff,
  login,
  randomIp,
  registerCustomer,
  uniqueEmail,
} from './helpers/auth.js';

let t: TestApp;
beforeAll(async () => {
  t = await createAuthTestApp();
});
afterAll(async () => t?.close());

const post = (url: string, payload?: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.app.inject(
    payload === undefined ? { method: 'POST', url, headers } : { method: 'POST', url, payload, headers },
  );
const me = (headers: Record<string, string>) => t.app.inject({ url: '/api/v1/me', headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function auditActions(entityId: string): Promise<string[]> {
  const { rows } = await t.db.pool.query<{ action: string }>(
    'select action from audit_log where entity_id = $1 order by seq',
    [entityId],
  );
  return rows.map((r) => r.action);
}

describe('register', () => {
  it('creates a customer and its login, and returns the user', async () => {
    const email = uniqueEmail();
    const res = await post('/api/v1/auth/register', {
      email: email.toUpperCase(),
      password: PASSWORD,
      fullName: 'Ada Lovelace',
      phone: '+44 20 7946 0000',
      dateOfBirth: '1990-12-10',
    });
    expect(res.statusCode).toBe(201);
    const { user } = res.json();
    expect(user).toMatchObject({ email, role: 'customer', status: 'ACTIVE', mfaEnabled: false });
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.customerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await auditActions(user.id)).toEqual(['user.registered']);
    expect(await auditActions(user.customerId)).toEqual(['customer.created']);
  });

  it('stores an argon2id hash with m ≥ 19456 KiB and t ≥ 2', async () => {
    const c = await registerCustomer(t.app);
    const { rows } = await t.db.pool.query<{ password_hash: string }>(
      'select password_hash from users where id = $1',
      [c.userId],
    );
    const p = argon2Params(rows[0]!.password_hash)!;
    expect(p).toMatchObject({ algorithm: 'argon2id', version: 19 });
    expect(p.memoryCost).toBeGreaterThanOrEqual(19456);
    expect(p.timeCost).toBeGreaterThanOrEqual(2);
    expect(rows[0]!.password_hash).not.toContain(PASSWORD);
  });

  it('refuses a duplicate email (any case) with 409', async () => {
    const email = uniqueEmail();
    expect(
      (await post('/api/v1/auth/register', { email, password: PASSWORD, fullName: 'A' })).statusCode,
    ).toBe(201);
    const res = await post('/api/v1/auth/register', {
      email: email.toUpperCase(),
      password: PASSWORD,
      fullName: 'B',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses a duplicate national id or phone with 409, and creates nothing', async () => {
    await registerCustomer(t.app, { nationalId: '555-12-3456', phone: '+15550001111' });
    const before = await t.db.pool.query('select count(*)::int as n from users');
    for (const extra of [{ nationalId: '555 12 3456' }, { phone: '+1 555 000 1111' }]) {
      const res = await post('/api/v1/auth/register', {
        email: uniqueEmail(),
        password: PASSWORD,
        fullName: 'Dup',
        ...extra,
      });
      expect(res.statusCode).toBe(409);
    }
    const after = await t.db.pool.query('select count(*)::int as n from users');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it.each([
    ['too short', 'Sh0rt-Pass!', /at least 12 characters/],
    ['the email local part', 'xx-SOMEBODY-123-yy', /email/],
    ['a common password', 'Password1234', /too common/],
  ])('refuses a password that is %s', async (_name, password, message) => {
    const res = await post('/api/v1/auth/register', {
      email: 'somebody@example.test',
      password,
      fullName: 'Some Body',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_REQUEST');
    expect(res.json().errors[0]).toMatchObject({ path: 'body.password' });
    expect(res.json().errors[0].message).toMatch(message);
  });

  it.each([
    ['role', 'admin'],
    ['status', 'ACTIVE'],
    ['customerId', '00000000-0000-4000-8000-000000000000'],
    ['balance', '1000000.00'],
    ['kycStatus', 'VERIFIED'],
  ])('refuses the mass-assigned field %s', async (field, value) => {
    const email = uniqueEmail();
    const res = await post('/api/v1/auth/register', {
      email,
      password: PASSWORD,
      fullName: 'M',
      [field]: value,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_REQUEST');
    const { rowCount } = await t.db.pool.query('select 1 from users where email = $1', [email]);
    expect(rowCount).toBe(0);
  });
});

describe('login', () => {
  it('returns an access token, a refresh token and the user; /me answers', async () => {
    const c = await registerCustomer(t.app);
    const res = await me(c.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({
      id: c.userId,
      role: 'customer',
      lastLoginAt: expect.any(String),
    });
    expect(res.json().customer).toMatchObject({ id: c.customerId, fullName: 'Test Customer' });
    const header = JSON.parse(Buffer.from(c.accessToken.split('.')[0]!, 'base64url').toString());
    expect(header.alg).toBe('HS256');
    const claims = JSON.parse(Buffer.from(c.accessToken.split('.')[1]!, 'base64url').toString());
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(900);
    expect(claims).toMatchObject({
      iss: 'corebank',
      aud: 'corebank-api',
      sub: c.userId,
      sid: expect.any(String),
    });
  });

  it('records the session with a hashed refresh token, expiry, IP and user agent', async () => {
    const email = uniqueEmail();
    await post('/api/v1/auth/register', { email, password: PASSWORD, fullName: 'S' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: PASSWORD },
      headers: { 'user-agent': 'TestAgent/1.0' },
      remoteAddress: '10.9.8.7',
    });
    const body = res.json();
    const { rows } = await t.db.pool.query(
      `select s.ip, s.user_agent, s.expires_at > now() as live, r.token_hash
         from sessions s join refresh_tokens r on r.session_id = s.id where s.user_id = $1`,
      [body.user.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ip: '10.9.8.7', user_agent: 'TestAgent/1.0', live: true });
    expect(Buffer.from(rows[0].token_hash).toString('utf8')).not.toContain(body.refreshToken);
    const dump = JSON.stringify((await t.db.pool.query('select * from refresh_tokens')).rows);
    expect(dump).not.toContain(body.refreshToken);
  });

  it('answers a wrong password, an unknown email and a locked account identically', async () => {
    const c = await registerCustomer(t.app);
    const strip = (body: string) => {
      const { requestId: _r, ...rest } = JSON.parse(body);
      return rest;
    };
    const wrong = await post('/api/v1/auth/login', { email: c.email, password: 'Wrong-Password-123' });
    const unknown = await post('/api/v1/auth/login', {
      email: uniqueEmail(),
      password: 'Wrong-Password-123',
    });
    await t.db.pool.query(`update users set locked_until = now() + interval '1 hour' where id = $1`, [
      c.userId,
    ]);
    const locked = await post('/api/v1/auth/login', { email: c.email, password: PASSWORD });
    for (const r of [wrong, unknown, locked]) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(strip(locked.body)).toEqual(strip(wrong.body));
    expect(strip(wrong.body)).toMatchObject({
      code: 'UNAUTHENTICATED',
      detail: 'The email or password is not correct',
    });
  });

  it('locks the account after 10 failures within 15 minutes, for 30 minutes', async () => {
    const c = await registerCustomer(t.app);
    for (let i = 0; i < 9; i++) {
      expect(
        (await post('/api/v1/auth/login', { email: c.email, password: `Wrong-Password-${i}x` })).statusCode,
      ).toBe(401);
    }
    expect((await login(t.app, c.email)).userId).toBe(c.userId); // 9 failures: not locked, and success resets
    for (let i = 0; i < 10; i++) {
      await post('/api/v1/auth/login', { email: c.email, password: `Wrong-Password-${i}x` });
    }
    const res = await post('/api/v1/auth/login', { email: c.email, password: PASSWORD });
    expect(res.statusCode).toBe(401);
    const { rows } = await t.db.pool.query(
      `select extract(epoch from locked_until - now()) as secs from users where id = $1`,
      [c.userId],
    );
    expect(Number(rows[0].secs)).toBeGreaterThan(29 * 60);
    expect(Number(rows[0].secs)).toBeLessThanOrEqual(30 * 60);
    const actions = await auditActions(c.userId);
    expect(actions.filter((a) => a === 'user.locked')).toHaveLength(1);
    expect(actions.filter((a) => a === 'user.login_failed').length).toBeGreaterThanOrEqual(20);
    // Once the lock has passed, the right password works again.
    await t.db.pool.query(`update users set locked_until = now() - interval '1 second' where id = $1`, [
      c.userId,
    ]);
    expect((await login(t.app, c.email)).userId).toBe(c.userId);
  });

  it('does not count failures older than 15 minutes', async () => {
    const c = await registerCustomer(t.app);
    await t.db.pool.query(
      `insert into login_failures (user_id, failed_at)
       select $1, now() - interval '16 minutes' from generate_series(1, 9)`,
      [c.userId],
    );
    await post('/api/v1/auth/login', { email: c.email, password: 'Wrong-Password-123' });
    const { rows } = await t.db.pool.query('select locked_until from users where id = $1', [c.userId]);
    expect(rows[0].locked_until).toBeNull();
  });

  it('refuses a disabled user with the same 401', async () => {
    const c = await registerCustomer(t.app);
    await t.db.pool.query(`update users set status = 'DISABLED' where id = $1`, [c.userId]);
    const res = await post('/api/v1/auth/login', { email: c.email, password: PASSWORD });
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toBe('The email or password is not correct');
  });
});

describe('access tokens', () => {
  let c: Awaited<ReturnType<typeof registerCustomer>>;
  beforeAll(async () => {
    c = await registerCustomer(t.app);
  });

  const key = () => new TextEncoder().encode(t.ctx.config.JWT_SECRET);
  const claims = () => ({
    sid: JSON.parse(Buffer.from(c.accessToken.split('.')[1]!, 'base64url').toString()).sid,
  });
  async function forge(opts: { iss?: string; aud?: string; exp?: number; alg?: string; sub?: string } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims())
      .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
      .setSubject(opts.sub ?? c.userId)
      .setIssuer(opts.iss ?? 'corebank')
      .setAudience(opts.aud ?? 'corebank-api')
      .setIssuedAt(now - 60)
      .setExpirationTime(opts.exp ?? now + 300)
      .sign(key());
  }

  it('accepts a well-formed token for a live session', async () => {
    expect((await me(bearer(await forge()))).statusCode).toBe(200);
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 10 }],
    ['for another audience', { aud: 'someone-else' }],
    ['from another issuer', { iss: 'evil' }],
    ['signed with another algorithm', { alg: 'HS512' }],
    ['naming another user than its session', { sub: '00000000-0000-4000-8000-000000000000' }],
  ])('refuses a token %s', async (_name, opts) => {
    const res = await me(bearer(await forge(opts)));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it('refuses alg=none', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({
      ...claims(),
      sub: c.userId,
      iss: 'corebank',
      aud: 'corebank-api',
      iat: now,
      exp: now + 300,
    })}.`;
    expect((await me(bearer(token))).statusCode).toBe(401);
  });

  it('refuses a tampered signature or payload', async () => {
    const [h, p, s] = c.accessToken.split('.') as [string, string, string];
    const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
    expect((await me(bearer(`${h}.${p}.${flipped}`))).statusCode).toBe(401);
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const evil = Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url');
    expect((await me(bearer(`${h}.${evil}.${s}`))).statusCode).toBe(401);
  });

  it('refuses garbage and a malformed Authorization header', async () => {
    expect((await me(bearer('not-a-jwt'))).statusCode).toBe(401);
    expect((await me({ authorization: 'Basic dXNlcjpwYXNz' })).statusCode).toBe(401);
    expect((await me({})).statusCode).toBe(401);
  });
});

describe('refresh and logout', () => {
  it('rotates the refresh token; reusing an old one revokes the whole session', async () => {
    const c = await registerCustomer(t.app);
    const r1 = await post('/api/v1/auth/refresh', { refreshToken: c.refreshToken });
    expect(r1.statusCode).toBe(200);
    const pair2 = r1.json();
    expect(pair2.refreshToken).not.toBe(c.refreshToken);
    expect((await me(bearer(pair2.accessToken))).statusCode).toBe(200);

    const reuse = await post('/api/v1/auth/refresh', { refreshToken: c.refreshToken });
    expect(reuse.statusCode).toBe(401);
    // The family is gone: the newest refresh token and every access token of the session.
    expect((await post('/api/v1/auth/refresh', { refreshToken: pair2.refreshToken })).statusCode).toBe(401);
    expect((await me(bearer(pair2.accessToken))).statusCode).toBe(401);
    expect((await me(c.headers)).statusCode).toBe(401);
    expect(
      await auditActions(JSON.parse(Buffer.from(c.accessToken.split('.')[1]!, 'base64url').toString()).sid),
    ).toContain('session.refresh_reuse');
  });

  it('refuses an unknown or missing refresh token', async () => {
    expect((await post('/api/v1/auth/refresh', { refreshToken: 'nope' })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/refresh', {})).statusCode).toBe(401);
  });

  it('logout revokes the session: its access and refresh tokens are refused afterwards', async () => {
    const c = await registerCustomer(t.app);
    const other = await login(t.app, c.email);
    const res = await post('/api/v1/auth/logout', undefined, c.headers);
    expect(res.statusCode).toBe(204);
    expect((await me(c.headers)).statusCode).toBe(401);
    expect((await post('/api/v1/auth/refresh', { refreshToken: c.refreshToken })).statusCode).toBe(401);
    expect((await me(other.headers)).statusCode).toBe(200); // only that session
  });
});

describe('session checks made together', () => {
  // Concurrent requests share one session query (src/platform/db/coalesce.ts): each must still
  // get exactly its own answer.
  it('each concurrent request is answered for its own session: a logged-out one is refused, the others are not', async () => {
    const users = await Promise.all([
      registerCustomer(t.app),
      registerCustomer(t.app),
      registerCustomer(t.app),
    ]);
    expect((await post('/api/v1/auth/logout', undefined, users[1]!.headers)).statusCode).toBe(204);
    const asked = Array.from({ length: 30 }, (_, i) => users[i % 3]!);
    const replies = await Promise.all(asked.map((u) => me(u.headers)));
    replies.forEach((res, i) => {
      const u = asked[i]!;
      if (u === users[1]) expect(res.statusCode).toBe(401);
      else {
        expect(res.statusCode).toBe(200);
        expect(res.json().user.id).toBe(u.userId);
      }
    });
  });

  it("refuses a validly signed token that names another user's session", async () => {
    const [a, b] = await Promise.all([registerCustomer(t.app), registerCustomer(t.app)]);
    const sidOfA = JSON.parse(Buffer.from(a.accessToken.split('.')[1]!, 'base64url').toString()).sid;
    const { token } = await signAccessToken(t.ctx.config, {
      userId: b.userId,
      sessionId: sidOfA,
      role: 'customer',
    });
    const [forged, real] = await Promise.all([me(bearer(token)), me(a.headers)]);
    expect(forged.statusCode).toBe(401);
    expect(real.statusCode).toBe(200);
  });
});

describe('password change', () => {
  it('changes the password and revokes the other sessions only', async () => {
    const c = await registerCustomer(t.app);
    const other = await login(t.app, c.email);
    const newPassword = 'Brave-Orchid-Window-77';
    const res = await post('/api/v1/auth/password', { currentPassword: PASSWORD, newPassword }, c.headers);
    expect(res.statusCode).toBe(204);
    expect((await me(c.headers)).statusCode).toBe(200);
    expect((await me(other.headers)).statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: c.email, password: PASSWORD })).statusCode).toBe(401);
    expect((await login(t.app, c.email, newPassword)).userId).toBe(c.userId);
    expect(await auditActions(c.userId)).toContain('user.password_changed');
  });

  it('needs the current password and applies the rules to the new one', async () => {
    const c = await registerCustomer(t.app);
    const wrong = await post(
      '/api/v1/auth/password',
      { currentPassword: 'Not-The-Password-1', newPassword: 'Brave-Orchid-Window-77' },
      c.headers,
    );
    expect(wrong.statusCode).toBe(403);
    const weak = await post(
      '/api/v1/auth/password',
      { currentPassword: PASSWORD, newPassword: 'password1234' },
      c.headers,
    );
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].path).toBe('body.newPassword');
    expect((await login(t.app, c.email)).userId).toBe(c.userId);
  });
});

describe('TOTP second factor', () => {
  it('enrols, then requires a fresh code at login', async () => {
    const c = await registerCustomer(t.app);
    const setup = await post('/api/v1/auth/mfa/setup', undefined, c.headers);
    expect(setup.statusCode).toBe(200);
    const secret = base32Decode(setup.json().secret);
    expect(setup.json().otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const bad = await post(
      '/api/v1/auth/mfa/verify',
      { otp: '000000' === totp(secret, Date.now() / 1000) ? '111111' : '000000' },
      c.headers,
    );
    expect(bad.statusCode).toBe(400);
    // Enrol with the previous step's code, so the login below can use the current one.
    const ok = await post(
      '/api/v1/auth/mfa/verify',
      { otp: totp(secret, Date.now() / 1000 - 30) },
      c.headers,
    );
    expect(ok.statusCode).toBe(200);
    expect(await auditActions(c.userId)).toContain('user.mfa_enabled');
    const { rows } = await t.db.pool.query('select totp_ciphertext from users where id = $1', [c.userId]);
    expect(Buffer.from(rows[0].totp_ciphertext).includes(secret)).toBe(false);

    const without = await post('/api/v1/auth/login', { email: c.email, password: PASSWORD });
    expect(without.statusCode).toBe(401);
    expect(without.json().code).toBe('MFA_REQUIRED');
    const wrongCode = await post('/api/v1/auth/login', {
      email: c.email,
      password: PASSWORD,
      otp: '123456' === totp(secret, Date.now() / 1000) ? '654321' : '123456',
    });
    expect(wrongCode.statusCode).toBe(401);
    expect(wrongCode.json().code).toBe('UNAUTHENTICATED');
    const code = totp(secret, Date.now() / 1000);
    const good = await post('/api/v1/auth/login', { email: c.email, password: PASSWORD, otp: code });
    expect(good.statusCode).toBe(200);
    // The same code cannot be replayed.
    expect(
      (await post('/api/v1/auth/login', { email: c.email, password: PASSWORD, otp: code })).statusCode,
    ).toBe(401);
    expect((await post('/api/v1/auth/mfa/setup', undefined, c.headers)).statusCode).toBe(409);
  });

  it('with MFA_REQUIRED_FOR_STAFF, staff without it may only enrol', async () => {
    const t2 = await createAuthTestApp({ MFA_REQUIRED_FOR_STAFF: 'true' });
    try {
      const teller = await createStaff(t2, 'teller');
      const search = await t2.app.inject({ url: '/api/v1/customers', headers: teller.headers });
      expect(search.statusCode).toBe(403);
      expect(search.json().code).toBe('MFA_SETUP_REQUIRED');
      expect(
        (await t2.app.inject({ url: '/api/v1/me', headers: teller.headers })).json().mfaSetupRequired,
      ).toBe(true);
      const setup = await t2.app.inject({
        method: 'POST',
        url: '/api/v1/auth/mfa/setup',
        headers: teller.headers,
      });
      const secret = base32Decode(setup.json().secret);
      const verify = await t2.app.inject({
        method: 'POST',
        url: '/api/v1/auth/mfa/verify',
        headers: teller.headers,
        payload: { otp: totp(secret, Date.now() / 1000) },
      });
      expect(verify.statusCode).toBe(200);
      expect((await t2.app.inject({ url: '/api/v1/customers', headers: teller.headers })).statusCode).toBe(
        200,
      );
      // Customers are not concerned.
      const cust = await registerCustomer(t2.app);
      expect(
        (await t2.app.inject({ url: '/api/v1/me', headers: cust.headers })).json().mfaSetupRequired,
      ).toBe(false);
    } finally {
      await t2.close();
    }
  });
});

describe('browser sessions: cookies and CSRF', () => {
  it('login sets httpOnly SameSite=Strict session cookies and a readable CSRF cookie', async () => {
    const email = uniqueEmail();
    await post('/api/v1/auth/register', { email, password: PASSWORD, fullName: 'Web' });
    const res = await post('/api/v1/auth/login', { email, password: PASSWORD });
    const cookies = res.cookies as {
      name: string;
      value: string;
      httpOnly?: boolean;
      sameSite?: string;
      secure?: boolean;
      path?: string;
    }[];
    const byName = Object.fromEntries(cookies.map((c) => [c.name, c]));
    expect(byName.cb_access).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(byName.cb_refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' });
    expect(byName.cb_csrf?.httpOnly).toBeFalsy();
    expect(byName.cb_csrf?.value).toBe(res.json().csrfToken);
    expect(byName.cb_access?.secure).toBeFalsy(); // test mode; Secure in production
  });

  it('marks cookies Secure in production', async () => {
    const tp = await createAuthTestApp({
      NODE_ENV: 'production',
      JWT_SECRET: 'p'.repeat(40),
      PII_KEYRING: `p1:${Buffer.alloc(32, 5).toString('base64')}`,
      PII_HMAC_KEY: Buffer.alloc(32, 6).toString('base64'),
    });
    try {
      const c = await registerCustomer(tp.app);
      const res = await tp.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: c.email, password: PASSWORD },
      });
      for (const cookie of res.cookies as { secure?: boolean }[]) expect(cookie.secure).toBe(true);
    } finally {
      await tp.close();
    }
  });

  it('a cookie-authenticated GET needs no CSRF token; a POST needs the matching x-csrf-token', async () => {
    const c = await registerCustomer(t.app);
    const cookie = `cb_access=${c.cookies.cb_access}; cb_csrf=${c.cookies.cb_csrf}`;
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(200);

    const noToken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/setup',
      headers: { cookie },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().code).toBe('FORBIDDEN');
    const wrongToken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/setup',
      headers: { cookie, 'x-csrf-token': 'forged' },
    });
    expect(wrongToken.statusCode).toBe(403);
    // Another session's CSRF token does not fit this session.
    const other = await login(t.app, c.email);
    const otherToken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/setup',
      headers: { cookie, 'x-csrf-token': other.csrfToken },
    });
    expect(otherToken.statusCode).toBe(403);
    const { rows } = await t.db.pool.query('select totp_pending_ciphertext from users where id = $1', [
      c.userId,
    ]);
    expect(rows[0].totp_pending_ciphertext).toBeNull();

    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/setup',
      headers: { cookie, 'x-csrf-token': c.csrfToken },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('a Bearer request needs no CSRF token', async () => {
    const c = await registerCustomer(t.app);
    expect((await post('/api/v1/auth/mfa/setup', undefined, c.headers)).statusCode).toBe(200);
  });

  it('refresh takes the token from the cookie (with the CSRF header) and rotates the cookies', async () => {
    const c = await registerCustomer(t.app);
    const cookie = `cb_refresh=${c.cookies.cb_refresh}; cb_csrf=${c.cookies.cb_csrf}`;
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { cookie, 'x-csrf-token': c.csrfToken },
    });
    expect(res.statusCode).toBe(200);
    const fresh = cookiesOf(res);
    expect(fresh.cb_refresh).toBeDefined();
    expect(fresh.cb_refresh).not.toBe(c.cookies.cb_refresh);
    expect(fresh.cb_access).toBe(res.json().accessToken);
  });

  it('logout by cookie clears the cookies', async () => {
    const c = await registerCustomer(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: `cb_access=${c.cookies.cb_access}`, 'x-csrf-token': c.csrfToken },
    });
    expect(res.statusCode).toBe(204);
    const cleared = res.cookies as { name: string; value: string; maxAge?: number }[];
    expect(cleared.map((x) => x.name).sort()).toEqual(['cb_access', 'cb_csrf', 'cb_refresh']);
    for (const x of cleared) expect(x.value).toBe('');
    expect((await me(c.headers)).statusCode).toBe(401);
  });
});

describe('rate limits', () => {
  it('limits logins per IP with 429 problem+json and Retry-After', async () => {
    const tl = await createAuthTestApp({ RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '3' });
    try {
      const ip = randomIp();
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await tl.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: uniqueEmail(), password: 'Whatever-Password-1' },
          remoteAddress: ip,
        });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      expect(last!.headers['content-type']).toContain('application/problem+json');
      expect(last!.json().code).toBe('RATE_LIMITED');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      // Another IP is not affected.
      const other = await tl.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: uniqueEmail(), password: 'Whatever-Password-1' },
        remoteAddress: randomIp(),
      });
      expect(other.statusCode).toBe(401);
    } finally {
      await tl.close();
    }
  });

  it('limits logins per account whatever the IP', async () => {
    const tl = await createAuthTestApp({ RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_MINUTE: '2' });
    try {
      const email = uniqueEmail();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await tl.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email, password: 'Whatever-Password-1' },
          remoteAddress: randomIp(),
        });
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await tl.close();
    }
  });
});
