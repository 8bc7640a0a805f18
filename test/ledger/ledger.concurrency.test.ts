// Under concurrency through the real pool: no deadlock, no error but insufficient funds, and
// not one minor unit created or destroyed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createLedgerAccounts,
  createTransfers,
  internalAccountIdOf,
  reconcile,
} from '../../src/modules/ledger/service.js';
import type { TransferInput } from '../../src/modules/ledger/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let accounts: string[];
const FUNDS = 10_000n;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 20 });
  const created = await createLedgerAccounts(
    db.pool,
    Array.from({ length: 4 }, () => ({
      currency: 'USD',
      kind: 'liability' as const,
      debitsMustNotExceedCredits: true,
    })),
  );
  accounts = created.map((a) => a.id);
  const vault = internalAccountIdOf('USD', 'VAULT');
  await createTransfers(
    db.pool,
    accounts.map((id) => ({
      id: randomUUID(),
      debitAccountId: vault,
      creditAccountId: id,
      amount: FUNDS,
      code: 'DEPOSIT',
    })),
  );
});
afterAll(async () => {
  await db.drop();
});

async function total(): Promise<bigint> {
  const { rows } = await db.pool.query<{ total: bigint }>(
    'select sum(credits_posted - debits_posted)::int8 as total from ledger_accounts where id = any($1::uuid[])',
    [accounts],
  );
  return rows[0]!.total;
}

// Deterministic pseudo-random choices, so a failure reproduces.
function* choices(seed: number): Generator<number> {
  let x = seed >>> 0 || 1;
  for (;;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    yield x;
  }
}

function randomTransfer(rand: Generator<number>): TransferInput {
  const i = rand.next().value % accounts.length;
  const j = (i + 1 + (rand.next().value % (accounts.length - 1))) % accounts.length;
  return {
    id: randomUUID(),
    debitAccountId: accounts[i]!,
    creditAccountId: accounts[j]!,
    amount: BigInt(1 + (rand.next().value % 3000)),
    code: 'TRANSFER',
  };
}

it('1,000 concurrent single transfers among 4 hot accounts conserve money', async () => {
  const rand = choices(42);
  const before = await total();
  const settled = await Promise.allSettled(
    Array.from({ length: 1000 }, () => createTransfers(db.pool, [randomTransfer(rand)])),
  );
  const rejected = settled.filter((s) => s.status === 'rejected');
  expect(rejected.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
  const results = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.map((r) => r.result) : []));
  expect(results).toHaveLength(1000);
  expect(new Set(results.filter((r) => r !== 'ok'))).toSatisfy((s: Set<string>) =>
    [...s].every((r) => r === 'exceeds_credits'),
  );
  expect(results.filter((r) => r === 'ok').length).toBeGreaterThan(500);
  expect(await total()).toBe(before);
  expect((await reconcile(db.pool)).discrepancies).toEqual([]);
});

it('100 concurrent batches of 50 transfers conserve money', async () => {
  const rand = choices(7);
  const before = await total();
  const settled = await Promise.allSettled(
    Array.from({ length: 100 }, () =>
      createTransfers(
        db.pool,
        Array.from({ length: 50 }, () => randomTransfer(rand)),
      ),
    ),
  );
  expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
  const results = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.map((r) => r.result) : []));
  expect(results).toHaveLength(5000);
  expect(results.every((r) => r === 'ok' || r === 'exceeds_credits')).toBe(true);
  expect(await total()).toBe(before);
  expect((await reconcile(db.pool)).discrepancies).toEqual([]);
});
