// 1,000 concurrent transfers among a few accounts through a real HTTP port, with balance reads
// running alongside: no 5xx, every reply 201 or a 4xx with a catalogue code, money conserved,
// and `corebank verify` passes afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.js';
import { errorCatalogue } from '../../src/platform/errors.js';
import { createAuthTestApp, registerCustomer, type SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/app.js';
import { deposit, openAccount } from './helpers.js';

let t: TestApp;
let base: string;
let owner: SignedIn;
let accounts: string[];

beforeAll(async () => {
  t = await createAuthTestApp({ RATE_LIMIT_MOVEMENTS_PER_MINUTE: '1000000' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  owner = await registerCustomer(t.app);
  accounts = [];
  for (let i = 0; i < 4; i++) {
    const a = await openAccount(t.app, owner);
    await deposit(t.app, owner, a.id, '100.00');
    accounts.push(a.id);
  }
});
afterAll(async () => {
  await t.close();
});

async function total(): Promise<bigint> {
  const { rows } = await t.db.pool.query<{ total: bigint }>(
    'select sum(credits_posted - debits_posted)::int8 as total from ledger_accounts where id = any($1::uuid[])',
    [accounts],
  );
  return rows[0]!.total;
}

it('1,000 concurrent HTTP transfers with concurrent balance reads conserve money', async () => {
  const before = await total();
  const headers = { ...owner.headers, 'content-type': 'application/json' };
  let x = 12345;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff);
  const transfers = Array.from({ length: 1000 }, () => {
    const i = next() % 4;
    const j = (i + 1 + (next() % 3)) % 4;
    const cents = 100 + (next() % 4000);
    return fetch(`${base}/api/v1/transfers`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        fromAccountId: accounts[i],
        toAccountId: accounts[j],
        amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
      }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code?: string } }));
  });
  const reads = Array.from({ length: 200 }, (_, k) =>
    fetch(`${base}/api/v1/accounts/${accounts[k % 4]}/balance`, { headers: owner.headers }).then((r) => ({
      status: r.status,
      body: {} as { code?: string },
    })),
  );
  const replies = await Promise.all([...transfers, ...reads]);
  const statuses = new Map<number, number>();
  for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  for (const r of replies.slice(0, 1000)) {
    if (r.status === 201) continue;
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(errorCatalogue)).toContain(r.body.code);
  }
  expect(statuses.get(201) ?? 0).toBeGreaterThan(300);
  expect(await total()).toBe(before);
  const lines: string[] = [];
  expect(await runVerify(t.db.pool, (l) => lines.push(l)), lines.join('\n')).toBe(true);
});
