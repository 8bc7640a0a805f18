// Access control: the policy table covers every /api route, and every route in it, called with
// every role and with no token, answers as the table says — 401 without a token, 403 for a role
// not listed, neither for a listed one. Public routes answer the same whoever calls.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes, registerAccessControl } from '../src/modules/auth/access.js';
import { policyTable } from '../src/modules/auth/policy.js';
import { roles, type Role } from '../src/modules/auth/roles.js';
import type { TestApp } from './helpers/app.js';
import { createAuthTestApp, createStaff, newSessionHeaders, registerCustomer } from './helpers/auth.js';

let t: TestApp;
const users = {} as Record<Role, string>;
beforeAll(async () => {
  t = await createAuthTestApp();
  users.customer = (await registerCustomer(t.app)).userId;
  for (const role of roles.filter((r) => r !== 'customer')) users[role] = (await createStaff(t, role)).userId;
});
afterAll(async () => t?.close());

const entries = Object.entries(policyTable).map(([key, access]) => {
  const [method, url] = key.split(' ') as [string, string];
  return { key, method, url, access };
});

describe('the policy table', () => {
  it('names every registered /api route, and every route it names is registered', () => {
    const registered = apiRoutes(t.app).map((r) => `${r.method} ${r.url}`);
    expect(registered.length).toBeGreaterThan(0);
    expect([...registered].sort()).toEqual(entries.map((e) => e.key).sort());
  });

  it('stops an app from starting with an /api route that has no policy', async () => {
    const app = Fastify();
    registerAccessControl(app, t.ctx);
    expect(() => app.get('/api/v1/unlisted', async () => 'open')).toThrow(
      /No access policy for GET \/api\/v1\/unlisted/,
    );
    await app.close();
  });
});

function request(method: string, url: string, headers: Record<string, string>) {
  const path = url.replace(/:[a-zA-Z]+/g, randomUUID());
  return t.app.inject(
    method === 'GET'
      ? { method: 'GET', url: path, headers }
      : { method: method as 'POST' | 'PATCH', url: path, headers, payload: {} },
  );
}

describe.each(entries)('$key', ({ method, url, access }) => {
  if (access.public) {
    it('answers the same with and without a token, never 403', async () => {
      const anonymous = await request(method, url, {});
      expect(anonymous.statusCode).not.toBe(403);
      for (const role of roles) {
        const res = await request(method, url, await newSessionHeaders(t, users[role]));
        expect(res.statusCode, role).toBe(anonymous.statusCode);
      }
    });
    return;
  }

  it('is 401 without a token', async () => {
    const res = await request(method, url, {});
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it.each(roles)('as %s answers as the table says', async (role) => {
    const res = await request(method, url, await newSessionHeaders(t, users[role]));
    if (access.roles.includes(role)) {
      expect([401, 403], `${res.statusCode} ${res.body}`).not.toContain(res.statusCode);
    } else {
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
  });
});
