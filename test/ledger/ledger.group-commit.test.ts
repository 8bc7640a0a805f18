// createTransfers' group commit and pipelining against real PostgreSQL: callers that wait while
// two batch transactions run are posted together in one transaction, each caller still gets
// exactly the results of its own batch, a linked chain never reaches into another caller's
// batch, a batch the database refuses fails alone, and a group planned on account states read
// without a lock is decided again when another writer changes them before it commits.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLedgerAccounts,
  createTransfers,
  getLedgerAccount,
  internalAccountIdOf,
  postTransfers,
  reconcile,
} from '../../src/modules/ledger/service.js';
import type { TransferInput } from '../../src/modules/ledger/types.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let accounts: string[];
const vault = internalAccountIdOf('USD', 'VAULT');

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 6 });
  const created = await createLedgerAccounts(
    db.pool,
    Array.from({ length: 40 }, () => ({
      currency: 'USD',
      kind: 'liability' as const,
      debitsMustNotExceedCredits: true,
    })),
  );
  accounts = created.map((a) => a.id);
  const funded = await createTransfers(
    db.pool,
    accounts.map((a) => ({
      id: randomUUID(),
      debitAccountId: vault,
      creditAccountId: a,
      amount: 10_000n,
      code: 'DEPOSIT',
    })),
  );
  expect(funded.every((r) => r.result === 'ok')).toBe(true);
});
afterAll(async () => {
  await db.drop();
});

const transfer = (
  from: number,
  to: number,
  amount: bigint,
  more: Partial<TransferInput> = {},
): TransferInput => ({
  id: randomUUID(),
  debitAccountId: accounts[from % accounts.length],
  creditAccountId: accounts[to % accounts.length],
  amount,
  code: 'TRANSFER',
  ...more,
});

/** Batches big enough to keep both places busy while the callers under test queue behind them. */
const busy = () =>
  Array.from({ length: 2 }, (_, b) =>
    createTransfers(
      db.pool,
      Array.from({ length: 300 }, (_, i) => transfer(i + b, i + b + 1, 1n)),
    ),
  );

const storedIds = async (ids: string[]) =>
  new Set(
    (
      await db.pool.query<{ id: string }>(
        'select id::text from ledger_transfers where id = any($1::uuid[])',
        [ids],
      )
    ).rows.map((r) => r.id),
  );

describe('createTransfers group commit', () => {
  it('posts the batches of waiting callers as one transaction, each caller getting its own results', async () => {
    const metrics = createMetrics();
    const running = busy();
    const batches = Array.from({ length: 6 }, (_, c) =>
      Array.from({ length: 5 }, (_, i) => transfer(c * 5 + i, c * 5 + i + 7, BigInt(1 + c))),
    );
    // Caller 3 asks for more than its debit account holds: only its own transfer fails.
    batches[3]![2] = transfer(3, 4, 1_000_000n);
    const results = await Promise.all(batches.map((b) => createTransfers(db.pool, b, metrics)));
    await Promise.all(running);

    // Six callers, fewer database batches: they waited behind the busy ones and left together.
    const dbBatches = (await metrics.ledgerBatches.get()).values[0]?.value ?? 0;
    expect(dbBatches).toBeGreaterThanOrEqual(1);
    expect(dbBatches).toBeLessThan(6);
    results.forEach((r, c) => {
      expect(r.map((x) => x.id)).toEqual(batches[c]!.map((t) => t.id));
      expect(r.map((x) => x.result)).toEqual(
        c === 3 ? ['ok', 'ok', 'exceeds_credits', 'ok', 'ok'] : ['ok', 'ok', 'ok', 'ok', 'ok'],
      );
    });
    const okIds = batches
      .flat()
      .filter((t) => t.amount !== 1_000_000n)
      .map((t) => t.id);
    expect((await storedIds(okIds)).size).toBe(okIds.length);
  });

  it('answers a transfer submitted by two waiting callers once as ok and once as exists', async () => {
    const running = busy();
    const same = transfer(1, 2, 5n);
    const [first, second] = await Promise.all([
      createTransfers(db.pool, [same]),
      createTransfers(db.pool, [{ ...same }]),
    ]);
    await Promise.all(running);
    expect([first?.[0]?.result, second?.[0]?.result].sort()).toEqual(['exists', 'ok']);
    const { rows } = await db.pool.query<{ n: string }>(
      'select count(*)::text as n from ledger_entries where transfer_id = $1',
      [same.id],
    );
    expect(rows[0]?.n).toBe('2');
  });

  it("never links a chain left open at the end of one caller's batch with the next caller's", async () => {
    const running = busy();
    const open = transfer(5, 6, 1n, { linked: true });
    const next = transfer(7, 8, 1n);
    const [a, b] = await Promise.all([createTransfers(db.pool, [open]), createTransfers(db.pool, [next])]);
    await Promise.all(running);
    expect(a?.[0]?.result).toBe('linked_event_chain_open');
    expect(b?.[0]?.result).toBe('ok');
  });

  it('fails only the batch the database refuses, posting its neighbours', async () => {
    const running = busy();
    const good = Array.from({ length: 4 }, (_, c) => [transfer(c + 10, c + 20, 3n)]);
    // The rules accept this code; the database's check on ledger_transfers.code refuses it, so
    // the group's transaction fails as a whole and its batches are posted again one by one.
    const bad = [transfer(30, 31, 3n, { code: 'not a code' })];
    const settled = await Promise.allSettled([...good, bad].map((b) => createTransfers(db.pool, b)));
    await Promise.all(running);
    expect(settled.slice(0, 4).map((s) => s.status === 'fulfilled' && s.value[0]?.result)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
    expect(settled[4]?.status).toBe('rejected');
    expect((await storedIds(good.flat().map((t) => t.id))).size).toBe(4);
    expect((await storedIds(bad.map((t) => t.id))).size).toBe(0);
  });

  it('decides a transfer again when another writer changes its account before the write, refusals included', async () => {
    // X is empty when the batch reads it (no lock), so the plan refuses the transfer; before the
    // batch commits, another transaction funds X. The write's check of X fails, and the batch is
    // decided again under locks: the transfer goes through, as it would have at commit time.
    const [x, y] = await createLedgerAccounts(db.pool, [
      { currency: 'USD', kind: 'liability', debitsMustNotExceedCredits: true },
      { currency: 'USD', kind: 'liability', debitsMustNotExceedCredits: true },
    ]);
    const other = await db.pool.connect();
    try {
      await other.query('begin');
      const [funded] = await postTransfers(other, [
        { id: randomUUID(), debitAccountId: vault, creditAccountId: x!.id, amount: 100n, code: 'DEPOSIT' },
      ]);
      expect(funded?.result).toBe('ok');

      const metrics = createMetrics();
      const pending = createTransfers(
        db.pool,
        [{ id: randomUUID(), debitAccountId: x!.id, creditAccountId: y!.id, amount: 50n, code: 'TRANSFER' }],
        metrics,
      );
      // Commit the deposit only once the batch waits for X's row lock.
      for (let i = 0; ; i++) {
        const { rows } = await db.pool.query<{ n: string }>(
          `select count(*)::text as n from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock'`,
        );
        if (rows[0]?.n !== '0') break;
        if (i > 500) throw new Error('the batch never waited for the lock');
        await new Promise((r) => setTimeout(r, 10));
      }
      await other.query('commit');
      const [result] = await pending;
      expect(result?.result).toBe('ok');
      // Planned twice: on the state read without a lock, then under locks.
      expect((await metrics.ledgerBatches.get()).values[0]?.value).toBe(2);
      const after = await getLedgerAccount(db.pool, x!.id);
      expect(after!.creditsPosted - after!.debitsPosted).toBe(50n);
    } finally {
      other.release();
    }
  });

  it('leaves a ledger that reconciles after all of the above', async () => {
    expect((await reconcile(db.pool)).discrepancies).toEqual([]);
  });
});
