// Helpers for money-movement tests: open accounts and move money through the real API.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SignedIn } from '../helpers/auth.js';

export async function openAccount(
  app: FastifyInstance,
  who: SignedIn,
  body: Record<string, unknown> = {},
): Promise<{ id: string; accountNumber: string; currency: string }> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: who.headers,
    payload: { type: 'CHECKING', currency: 'USD', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`open account: ${res.statusCode} ${res.body}`);
  return res.json();
}

export function post(
  app: FastifyInstance,
  who: SignedIn,
  url: string,
  payload: unknown,
  key: string = randomUUID(),
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...who.headers, 'idempotency-key': key },
    payload: payload as Record<string, unknown>,
  });
}

export async function balanceOf(
  app: FastifyInstance,
  who: SignedIn,
  accountId: string,
): Promise<{ balance: string; availableBalance: string }> {
  const res = await app.inject({ url: `/api/v1/accounts/${accountId}/balance`, headers: who.headers });
  if (res.statusCode !== 200) throw new Error(`balance: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function deposit(
  app: FastifyInstance,
  who: SignedIn,
  accountId: string,
  amount: string,
): Promise<void> {
  const res = await post(app, who, '/api/v1/deposits', { accountId, amount });
  if (res.statusCode !== 201) throw new Error(`deposit: ${res.statusCode} ${res.body}`);
}
