// User administration: list, create staff, change role and status; disabling ends sessions.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './helpers/app.js';
import {
  PASSWORD,
  createAuthTestApp,
  createStaff,
  login,
  registerCustomer,
  uniqueEmail,
  type SignedIn,
} from './helpers/auth.js';

let t: TestApp;
let admin: SignedIn;
beforeAll(async () => {
  t = await createAuthTestApp();
  admin = await createStaff(t, 'admin');
});
afterAll(async () => t?.close());

const patch = (id: string, payload: Record<string, unknown>, who: SignedIn = admin) =>
  t.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${id}`, headers: who.headers, payload });

describe('admin users', () => {
  it('lists users with filters and a cursor', async () => {
    await createStaff(t, 'teller');
    await registerCustomer(t.app);
    const tellers = await t.app.inject({ url: '/api/v1/admin/users?role=teller', headers: admin.headers });
    expect(tellers.statusCode).toBe(200);
    expect(tellers.json().items.length).toBeGreaterThanOrEqual(1);
    for (const u of tellers.json().items) expect(u.role).toBe('teller');
    expect(JSON.stringify(tellers.json())).not.toMatch(/password|totp/i);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const res: LightMyRequestResponse = await t.app.inject({
        url: `/api/v1/admin/users?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        headers: admin.headers,
      });
      all.push(...res.json().items.map((u: { id: string }) => u.id));
      cursor = res.json().nextCursor;
    } while (cursor && all.length < 1000);
    const { rows } = await t.db.pool.query('select count(*)::int as n from users');
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(rows[0].n);
  });

  it('creates a staff user', async () => {
    const email = uniqueEmail('analyst');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: admin.headers,
      payload: { email, password: PASSWORD, role: 'analyst' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ email, role: 'analyst', customerId: null });
    expect((await login(t.app, email)).role).toBe('analyst');
    const customer = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: admin.headers,
      payload: { email: uniqueEmail(), password: PASSWORD, role: 'customer' },
    });
    expect(customer.statusCode).toBe(400);
  });

  it('changes a staff role, audited, effective at once', async () => {
    const teller = await createStaff(t, 'teller');
    expect((await t.app.inject({ url: '/api/v1/audit', headers: teller.headers })).statusCode).toBe(403);
    const res = await patch(teller.userId, { role: 'auditor' });
    expect(res.statusCode).toBe(200);
    expect(res.json().role).toBe('auditor');
    // Same token: the role is read from the database on every request.
    expect((await t.app.inject({ url: '/api/v1/audit', headers: teller.headers })).statusCode).toBe(200);
    const { rows } = await t.db.pool.query(
      `select actor_id, before, after from audit_log where entity_id = $1 and action = 'user.role_changed'`,
      [teller.userId],
    );
    expect(rows[0]).toEqual({
      actor_id: admin.userId,
      before: { role: 'teller' },
      after: { role: 'auditor' },
    });
  });

  it('disabling revokes every session; enabling lifts a lockout', async () => {
    const c = await registerCustomer(t.app);
    const second = await login(t.app, c.email);
    const res = await patch(c.userId, { status: 'DISABLED' });
    expect(res.statusCode).toBe(200);
    for (const s of [c, second])
      expect((await t.app.inject({ url: '/api/v1/me', headers: s.headers })).statusCode).toBe(401);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: c.refreshToken },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: c.email, password: PASSWORD },
        })
      ).statusCode,
    ).toBe(401);
    await t.db.pool.query(`update users set locked_until = now() + interval '1 hour' where id = $1`, [
      c.userId,
    ]);
    const enabled = await patch(c.userId, { status: 'ACTIVE' });
    expect(enabled.json()).toMatchObject({ status: 'ACTIVE', locked: false });
    expect((await login(t.app, c.email)).userId).toBe(c.userId);
    const { rows } = await t.db.pool.query(
      `select action from audit_log where entity_id = $1 and action = 'user.status_changed' order by seq`,
      [c.userId],
    );
    expect(rows).toHaveLength(2);
  });

  it('refuses a customer turned staff, a change to oneself, bad input and unknown users', async () => {
    const c = await registerCustomer(t.app);
    expect((await patch(c.userId, { role: 'admin' })).statusCode).toBe(422);
    expect((await patch(admin.userId, { status: 'DISABLED' })).statusCode).toBe(422);
    expect((await patch(c.userId, {})).statusCode).toBe(400);
    expect((await patch(c.userId, { role: 'root' })).statusCode).toBe(400);
    expect((await patch(c.userId, { status: 'ACTIVE', email: 'x@y.z' })).statusCode).toBe(400);
    expect((await patch('00000000-0000-4000-8000-000000000000', { status: 'ACTIVE' })).statusCode).toBe(404);
    const { rows } = await t.db.pool.query('select role, status from users where id = $1', [c.userId]);
    expect(rows[0]).toEqual({ role: 'customer', status: 'ACTIVE' });
  });
});
