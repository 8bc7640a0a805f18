// The movement micro-batcher (issue 8): concurrent movements are posted together in one
// database transaction, each caller still gets exactly its own outcome, and a movement that
// breaks the batch's transaction is isolated by re-running the batch's movements one by one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.js';
import { createMovementExecutor, type MovementExecutor } from '../../src/modules/payments/batcher.js';
import { systemCaller } from '../../src/modules/payments/jobs.js';
import { createPaymentsService } from '../../src/modules/payments/service.js';
import type { MovementRequest } from '../../src/modules/payments/types.js';
import { createAuthTestApp, createStaff, registerCustomer, type SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/app.js';
import { balanceOf, deposit, openAccount, post } from './helpers.js';

// A window long enough that requests sent together certainly meet in one batch.
const WINDOW_MS = '40';

let t: TestApp;
let alice: SignedIn;
beforeAll(async () => {
  t = await createAuthTestApp({
    RATE_LIMIT_MOVEMENTS_PER_MINUTE: '100000',
    MOVEMENT_BATCH_WINDOW_MS: WINDOW_MS,
  });
  alice = await registerCustomer(t.app);
});
afterAll(async () => {
  await t?.close();
});

async function fundedAccounts(app: TestApp, who: SignedIn, n: number, amount = '10.00'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = await openAccount(app.app, who);
    await deposit(app.app, who, a.id, amount);
    ids.push(a.id);
  }
  return ids;
}

/** The ledger timestamps of these transactions' transfers: one per database write statement. */
async function ledgerTimes(app: TestApp, transactionIds: string[]): Promise<string[]> {
  const { rows } = await app.db.pool.query<{ created_at: string }>(
    // As text: microseconds (the pool's timestamp parser keeps milliseconds only).
    `select l.created_at::text as created_at from transactions t join ledger_transfers l on l.id = t.transfer_id
      where t.id = any($1::uuid[])`,
    [transactionIds],
  );
  return rows.map((r) => r.created_at);
}

const ring = (ids: string[]) => ids.map((from, i) => ({ from, to: ids[(i + 1) % ids.length]! }));

describe('batching', () => {
  it('concurrent transfers are posted together: one ledger write for all of them, not one each', async () => {
    const ids = await fundedAccounts(t, alice, 8);
    const replies = await Promise.all(
      ring(ids).map(({ from, to }) =>
        post(t.app, alice, '/api/v1/transfers', { fromAccountId: from, toAccountId: to, amount: '1.00' }),
      ),
    );
    expect(replies.map((r) => r.statusCode)).toEqual(replies.map(() => 201));
    const times = await ledgerTimes(
      t,
      replies.map((r) => r.json().id),
    );
    expect(times).toHaveLength(8);
    // One write, or two if a loaded machine let the window close before the last one arrived:
    // without batching it would be eight.
    expect(new Set(times).size).toBeLessThanOrEqual(2);
  });

  it('MOVEMENT_BATCH_WINDOW_MS=0 turns it off: one transaction per movement', async () => {
    const off = await createAuthTestApp({
      RATE_LIMIT_MOVEMENTS_PER_MINUTE: '100000',
      MOVEMENT_BATCH_WINDOW_MS: '0',
    });
    try {
      const bob = await registerCustomer(off.app);
      const ids = await fundedAccounts(off, bob, 6);
      const replies = await Promise.all(
        ring(ids).map(({ from, to }) =>
          post(off.app, bob, '/api/v1/transfers', { fromAccountId: from, toAccountId: to, amount: '1.00' }),
        ),
      );
      expect(replies.map((r) => r.statusCode)).toEqual(replies.map(() => 201));
      expect(
        new Set(
          await ledgerTimes(
            off,
            replies.map((r) => r.json().id),
          ),
        ).size,
      ).toBe(6);
    } finally {
      await off.close();
    }
  });
});

describe('one batch, each caller its own outcome', () => {
  it('refusals, an idempotency conflict and a replay in the same batch as successes: nothing leaks', async () => {
    const teller = await createStaff(t, 'teller');
    const [a, b, poor, frozen, c] = (await fundedAccounts(t, alice, 5)) as [
      string,
      string,
      string,
      string,
      string,
    ];
    // `poor` keeps 1.00; `frozen` is frozen by the teller.
    expect(
      (await post(t.app, alice, '/api/v1/withdrawals', { accountId: poor, amount: '9.00' })).statusCode,
    ).toBe(201);
    const freeze = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${frozen}/freeze`,
      headers: teller.headers,
      payload: { reason: 'test' },
    });
    expect(freeze.statusCode).toBe(200);

    const [k, l] = [randomUUID(), randomUUID()];
    const asks = [
      { body: { fromAccountId: a, toAccountId: b, amount: '2.00' } }, // ok
      { body: { fromAccountId: poor, toAccountId: b, amount: '5.00' } }, // insufficient
      { body: { fromAccountId: frozen, toAccountId: b, amount: '1.00' } }, // frozen
      { body: { fromAccountId: c, toAccountId: a, amount: '3.00' }, key: k }, // key k, first body
      { body: { fromAccountId: c, toAccountId: a, amount: '4.00' }, key: k }, // key k, other body
      { body: { fromAccountId: b, toAccountId: c, amount: '1.50' }, key: l }, // key l …
      { body: { fromAccountId: b, toAccountId: c, amount: '1.50' }, key: l }, // … sent twice
    ];
    const replies = await Promise.all(
      asks.map((x) => post(t.app, alice, '/api/v1/transfers', x.body, x.key)),
    );
    const status = replies.map((r) => r.statusCode);

    expect(status[0]).toBe(201);
    expect(replies[1]!.json()).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(replies[2]!.json()).toMatchObject({ code: 'ACCOUNT_FROZEN' });
    expect([status[3], status[4]].sort()).toEqual([201, 409]);
    const conflict = replies[3]!.statusCode === 409 ? replies[3]! : replies[4]!;
    expect(conflict.json().code).toBe('IDEMPOTENCY_CONFLICT');
    expect([status[5], status[6]]).toEqual([201, 201]);
    expect(replies[5]!.json().id).toBe(replies[6]!.json().id);
    expect([
      replies[5]!.headers['idempotency-replayed'],
      replies[6]!.headers['idempotency-replayed'],
    ]).toContain('true');

    // The three transfers that took effect were posted together (one ledger write; two at most
    // on a loaded machine) …
    const posted = [replies[0]!, replies[3]!.statusCode === 201 ? replies[3]! : replies[4]!, replies[5]!];
    expect(
      new Set(
        await ledgerTimes(
          t,
          posted.map((r) => r.json().id),
        ),
      ).size,
    ).toBeLessThanOrEqual(2);
    // … and only they moved money.
    const kFirstBody = replies[3]!.statusCode === 201; // 3.00 went, else 4.00
    expect((await balanceOf(t.app, alice, a)).balance).toBe(kFirstBody ? '11.00' : '12.00');
    expect((await balanceOf(t.app, alice, b)).balance).toBe('10.50');
    expect((await balanceOf(t.app, alice, c)).balance).toBe(kFirstBody ? '8.50' : '7.50');
    expect((await balanceOf(t.app, alice, poor)).balance).toBe('1.00');
    expect((await balanceOf(t.app, alice, frozen)).balance).toBe('10.00');
  });
});

describe('a movement that breaks the whole batch', () => {
  it('is isolated: the batch is re-run movement by movement, and only the culprit fails', async () => {
    const ids = await fundedAccounts(t, alice, 3);
    // Prepare three real transfers with the payments service, but capture them instead of running.
    const captured: MovementRequest[] = [];
    const capture: MovementExecutor = {
      submit: async (r) => {
        captured.push(r);
        return { kind: 'done', status: 201, body: {} };
      },
      close: async () => undefined,
    };
    const prepare = createPaymentsService({ pool: t.db.pool, config: t.ctx.config, executor: capture });
    for (const { from, to } of ring(ids)) {
      await prepare.transfer(systemCaller('test'), { fromAccountId: from, toAccountId: to, amount: '1.00' });
    }
    // The middle one now carries a category the database refuses (a CHECK constraint): its
    // transaction-record insert fails the whole batch's statement.
    captured[1]!.inserts[0]!.category = 'Not A Category!';

    const executor = createMovementExecutor(t.db.pool, { windowMs: Number(WINDOW_MS), maxSize: 256 });
    try {
      const outcomes = await Promise.allSettled(captured.map((r) => executor.submit(r)));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.kind : 'error'))).toEqual([
        'done',
        'error',
        'done',
      ]);
    } finally {
      await executor.close();
    }
    // Transfers 0 (ids[0] → ids[1]) and 2 (ids[2] → ids[0]) took effect; 1 (ids[1] → ids[2]) did not.
    const balances = await Promise.all(ids.map(async (id) => (await balanceOf(t.app, alice, id)).balance));
    expect(balances).toEqual(['10.00', '11.00', '9.00']);
    const lines: string[] = [];
    expect(await runVerify(t.db.pool, (line) => lines.push(line))).toBe(true);
  });
});
