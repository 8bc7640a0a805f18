// Helpers for tests that sign in: an app with generous rate limits, registration, staff users
// and logins.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createUser } from '../../src/modules/auth/service.js';
import type { Role } from '../../src/modules/auth/roles.js';
import { systemActor } from '../../src/modules/audit/types.js';
import { signAccessToken } from '../../src/modules/auth/tokens.js';
import { createTestApp, type TestApp } from './app.js';

export const PASSWORD = 'Ample-Harbor-Lantern-42';

/** The real app with rate limits high enough not to trip in ordinary tests. */
export function createAuthTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({
    RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '100000',
    ...env,
  });
}

export const uniqueEmail = (prefix = 'user') => `${prefix}.${randomBytes(5).toString('hex')}@example.test`;

/** A random test IP, so rate-limit counters (shared through Redis in CI) never collide. */
export const randomIp = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0]! % 250).join('.')}`;

export interface SignedIn {
  userId: string;
  email: string;
  role: Role;
  customerId: string | null;
  accessToken: string;
  refreshToken: string;
  csrfToken: string;
  cookies: Record<string, string>;
  headers: { authorization: string };
}

export function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.cookies as { name: string; value: string }[]) out[c.name] = c.value;
  return out;
}

export async function login(app: FastifyInstance, email: string, password = PASSWORD): Promise<SignedIn> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return {
    userId: body.user.id,
    email,
    role: body.user.role,
    customerId: body.user.customerId,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    csrfToken: body.csrfToken,
    cookies: cookiesOf(res),
    headers: { authorization: `Bearer ${body.accessToken}` },
  };
}

export async function registerCustomer(
  app: FastifyInstance,
  extra: Record<string, unknown> = {},
): Promise<SignedIn> {
  const email = uniqueEmail('cust');
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password: PASSWORD, fullName: 'Test Customer', ...extra },
  });
  if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`);
  return login(app, email);
}

export async function createStaff(t: TestApp, role: Role): Promise<SignedIn> {
  const email = uniqueEmail(role);
  await createUser(
    t.ctx,
    { email, password: PASSWORD, role, ...(role === 'customer' ? { fullName: 'Cli Customer' } : {}) },
    systemActor('test'),
  );
  return login(t.app, email);
}

/**
 * A new session for an existing user and its bearer header, without a login (no argon2, no
 * rate limit): for tests that need many sessions.
 */
export async function newSessionHeaders(t: TestApp, userId: string): Promise<{ authorization: string }> {
  const { rows } = await t.db.pool.query<{ id: string; role: string }>(
    `insert into sessions (user_id, expires_at) values ($1, now() + interval '1 hour')
     returning id, (select role from users where id = $1) as role`,
    [userId],
  );
  const { token } = await signAccessToken(t.ctx.config, {
    userId,
    sessionId: rows[0]!.id,
    role: rows[0]!.role,
  });
  return { authorization: `Bearer ${token}` };
}
