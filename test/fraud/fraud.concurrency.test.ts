// Screening under load, through a real HTTP port with micro-batching on: 600 concurrent outgoing
// transfers from a few accounts (so velocity and travel hold many of them), then every held one
// decided by three concurrent analysts' calls at once. Nothing is lost or applied twice: money
// is conserved (posted plus held), each account's statistics count exactly the movements that
// went through, every hold is resolved exactly once, and `corebank verify` passes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.js';
import { errorCatalogue } from '../../src/platform/errors.js';
import type { TestApp } from '../helpers/app.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from '../helpers/auth.js';
import { deposit, openAccount } from '../payments/helpers.js';
import { AWAY_IP, HOME_IP, setTimeZone, transfer, zoneWithLocalHour } from './helpers.js';

let t: TestApp;
let base: string;
let analyst: SignedIn;
let admin: SignedIn;
const senders: { who: SignedIn; account: string }[] = [];
const payees: string[] = [];

beforeAll(async () => {
  // TRUST_PROXY: the client IP comes from X-Forwarded-For, so each request can say where it is from.
  t = await createAuthTestApp({
    RATE_LIMIT_MOVEMENTS_PER_MINUTE: '1000000',
    MOVEMENT_BATCH_WINDOW_MS: '2',
    TRUST_PROXY: 'true',
  });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  analyst = await createStaff(t, 'analyst');
  admin = await createStaff(t, 'admin');
  const payee = await registerCustomer(t.app);
  for (let i = 0; i < 4; i++) payees.push((await openAccount(t.app, payee)).id);
  for (let i = 0; i < 4; i++) {
    const who = await registerCustomer(t.app);
    await setTimeZone(t, who.customerId!, zoneWithLocalHour(12));
    for (let j = 0; j < 2; j++) {
      const a = await openAccount(t.app, who);
      await deposit(t.app, who, a.id, '2000.00');
      expect((await transfer(t.app, who, a.id, payees[0]!, '1.00', HOME_IP)).statusCode).toBe(201);
      senders.push({ who, account: a.id });
    }
  }
});
afterAll(async () => {
  await t.close();
});

const accounts = () => [...senders.map((s) => s.account), ...payees];

async function money(): Promise<{ posted: bigint; pending: bigint }> {
  const { rows } = await t.db.pool.query<{ posted: bigint; pending: bigint }>(
    `select sum(credits_posted - debits_posted)::int8 as posted, sum(debits_pending)::int8 as pending
     from ledger_accounts where id = any($1::uuid[])`,
    [accounts()],
  );
  return rows[0]!;
}

async function heldAmount(): Promise<bigint> {
  const { rows } = await t.db.pool.query<{ s: bigint | null }>(
    `select sum(amount)::int8 as s from transactions where status = 'PENDING_REVIEW'`,
  );
  return rows[0]!.s ?? 0n;
}

it('600 concurrent screened transfers, then every hold decided three times at once: nothing lost, nothing twice', async () => {
  const before = await money();
  let x = 4242;
  // A linear congruential generator; its high bits (the low ones cycle with a short period).
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff) >>> 12;
  const replies = await Promise.all(
    Array.from({ length: 600 }, () => {
      const s = senders[next() % senders.length]!;
      const cents = 100 + (next() % 3000);
      const ip = next() % 20 === 0 ? AWAY_IP : HOME_IP;
      return fetch(`${base}/api/v1/transfers`, {
        method: 'POST',
        headers: {
          ...s.who.headers,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
          'x-forwarded-for': ip,
        },
        body: JSON.stringify({
          fromAccountId: s.account,
          toAccountId: payees[next() % payees.length],
          amount: (cents / 100).toFixed(2),
        }),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { code?: string; status?: string; id?: string },
      }));
    }),
  );
  const statuses = new Map<number, number>();
  for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  for (const r of replies) {
    if (r.status === 201) expect(r.body.status).toBe('COMPLETED');
    else if (r.status === 202) expect(r.body.status).toBe('PENDING_REVIEW');
    else expect(Object.keys(errorCatalogue)).toContain(r.body.code);
  }
  expect(statuses.get(202) ?? 0).toBeGreaterThan(50);
  expect(statuses.get(201) ?? 0).toBeGreaterThan(30);

  // Money: posted balances conserved; what is held is exactly the PENDING_REVIEW transactions.
  const during = await money();
  expect(during.posted).toBe(before.posted);
  expect(during.pending).toBe(await heldAmount());

  // Statistics: each account counts exactly the movements that went through, none lost to a race.
  const { rows: counts } = await t.db.pool.query<{ ok: boolean; account_id: string }>(
    `select s.account_id,
            s.screened_count = (select count(*) from transactions x where x.from_account_id = s.account_id and x.risk is not null)
            and s.posted_count = (select count(*) from transactions x where x.from_account_id = s.account_id and x.risk is not null and x.status = 'COMPLETED') as ok
     from fraud_account_stats s where s.account_id = any($1::uuid[])`,
    [senders.map((s) => s.account)],
  );
  expect(counts.filter((c) => !c.ok)).toEqual([]);
  expect(counts).toHaveLength(senders.length);

  // Every held movement has one HELD alert; decide each three times at once.
  const { rows: held } = await t.db.pool.query<{ id: string; transaction_id: string }>(
    `select id, transaction_id from fraud_alerts where hold = 'HELD'`,
  );
  const heldIds = replies.filter((r) => r.status === 202).map((r) => r.body.id);
  expect(held.map((h) => h.transaction_id).sort()).toEqual([...heldIds].sort());
  const decisions = await Promise.all(
    held.flatMap((h, i) =>
      (i % 2 === 0 ? ['release', 'release', 'reject'] : ['reject', 'release', 'reject']).map((action, k) =>
        fetch(`${base}/api/v1/fraud/alerts/${h.id}/${action}`, {
          method: 'POST',
          headers: (k % 2 ? admin : analyst).headers,
        }).then((r) => ({ alert: h.id, status: r.status })),
      ),
    ),
  );
  const wins = new Map<string, number>();
  for (const d of decisions) {
    expect([200, 409]).toContain(d.status);
    if (d.status === 200) wins.set(d.alert, (wins.get(d.alert) ?? 0) + 1);
  }
  expect(held.filter((h) => wins.get(h.id) !== 1)).toEqual([]);

  const { rows: resolutions } = await t.db.pool.query<{ n: number }>(
    `select count(r.id)::int as n from fraud_alerts a join transactions t on t.id = a.transaction_id
     left join ledger_transfers r on r.pending_id = t.transfer_id group by a.id having count(r.id) <> 1`,
  );
  expect(resolutions).toEqual([]);
  expect(
    (await t.db.pool.query(`select count(*)::int as n from fraud_alerts where hold = 'HELD'`)).rows[0].n,
  ).toBe(0);
  expect(
    (await t.db.pool.query(`select count(*)::int as n from transactions where status = 'PENDING_REVIEW'`))
      .rows[0].n,
  ).toBe(0);
  const after = await money();
  expect(after).toEqual({ posted: before.posted, pending: 0n });
  const lines: string[] = [];
  expect(await runVerify(t.db.pool, (l) => lines.push(l)), lines.join('\n')).toBe(true);
});
