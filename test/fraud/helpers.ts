// Helpers for fraud tests: money movements from a chosen client IP, customers placed in a time
// zone where it is day (or night) right now, and alert calls.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../helpers/app.js';
import type { SignedIn } from '../helpers/auth.js';

export const HOME_IP = '198.51.100.7';
export const AWAY_IP = '203.0.113.9';

/** A POST with an Idempotency-Key, from `ip`. */
export function postFrom(
  app: FastifyInstance,
  who: SignedIn,
  url: string,
  payload: unknown,
  opts: { ip?: string; key?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    remoteAddress: opts.ip ?? HOME_IP,
    headers: { ...who.headers, 'idempotency-key': opts.key ?? randomUUID() },
    payload: payload as Record<string, unknown>,
  });
}

export function transfer(
  app: FastifyInstance,
  who: SignedIn,
  from: string,
  to: string,
  amount: string,
  ip = HOME_IP,
) {
  return postFrom(app, who, '/api/v1/transfers', { fromAccountId: from, toAccountId: to, amount }, { ip });
}

/**
 * An IANA zone (Etc/GMT±N) in which the local hour is `hour` right now, so tests of the
 * unusual-hour rule do not depend on when they run. (Etc/GMT signs are inverted: Etc/GMT-3 is UTC+3.)
 */
export function zoneWithLocalHour(hour: number, now = new Date()): string {
  let offset = (((hour - now.getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export async function setTimeZone(t: TestApp, customerId: string, zone: string): Promise<void> {
  await t.db.pool.query('update customers set timezone = $2 where id = $1', [customerId, zone]);
}

export interface AlertBody {
  id: string;
  transactionId: string;
  status: string;
  hold: string | null;
  score: number;
  recommendation: string;
  reasons: { rule: string; score: number; reason: string }[];
  notes: { at: string; by: string | null; text: string }[];
  amount: string;
}

export async function alertFor(
  t: TestApp,
  analyst: SignedIn,
  transactionId: string,
): Promise<AlertBody | undefined> {
  const { rows } = await t.db.pool.query<{ id: string }>(
    'select id from fraud_alerts where transaction_id = $1',
    [transactionId],
  );
  if (!rows[0]) return undefined;
  const res = await t.app.inject({ url: `/api/v1/fraud/alerts/${rows[0].id}`, headers: analyst.headers });
  if (res.statusCode !== 200) throw new Error(`alert: ${res.statusCode} ${res.body}`);
  return res.json();
}

export function decide(
  t: TestApp,
  who: SignedIn,
  alertId: string,
  action: 'release' | 'reject',
  payload?: Record<string, unknown>,
) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/fraud/alerts/${alertId}/${action}`,
    headers: who.headers,
    ...(payload ? { payload } : {}),
  });
}

export function patchAlert(t: TestApp, who: SignedIn, alertId: string, payload: Record<string, unknown>) {
  return t.app.inject({
    method: 'PATCH',
    url: `/api/v1/fraud/alerts/${alertId}`,
    headers: who.headers,
    payload,
  });
}
