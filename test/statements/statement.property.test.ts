// Property: for random histories of deposits, withdrawals and transfers posted through the
// real ledger, and a random period whose bounds fall on, just before or just after entries,
// the statement says exactly what the ledger says: opening = balanceAt(just before from),
// closing = balanceAt(to), every line is one of the account's entries in the period (all of
// them, in order), each running balance is the previous one plus the line, and opening + lines
// = closing. STATEMENT_PROPERTY_RUNS raises the run count.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Account } from '../../src/modules/accounts/service.js';
import { balanceAt, createTransfers } from '../../src/modules/ledger/service.js';
import type { TransferInput } from '../../src/modules/ledger/types.js';
import { microsToIso, parseInstant, resolvePeriod } from '../../src/modules/statements/period.js';
import { buildStatement } from '../../src/modules/statements/service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createAccount, createCustomer, vaultOf } from './fixtures.js';

let db: TestDatabase;
let vault: string;
beforeAll(async () => {
  db = await createTestDatabase();
  vault = await vaultOf(db.pool);
});
afterAll(async () => db?.drop());

type Op =
  | { kind: 'deposit'; to: number; amount: bigint }
  | { kind: 'withdraw'; from: number; amount: bigint }
  | { kind: 'transfer'; from: number; to: number; amount: bigint };

const slot = fc.nat({ max: 2 });
const amount = fc.bigInt({ min: 1n, max: 50_000n });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deposit' as const), to: slot, amount }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), from: slot, amount }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: slot, to: slot, amount }),
  },
);
// Batches: several transfers in one batch share a timestamp, as concurrent requests do.
const history = fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 });
// Where a bound falls: on an entry's instant, a microsecond either side, or far out.
const bound = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  shift: fc.constantFrom(-1n, 0n, 1n, -3_600_000_000n, 3_600_000_000n),
});

// prettier-ignore
function toInput(o: Op, accounts: Account[]): TransferInput {
  const id = randomUUID();
  if (o.kind === 'deposit') return { id, debitAccountId: vault, creditAccountId: accounts[o.to]!.id, amount: o.amount, code: 'DEPOSIT' };
  if (o.kind === 'withdraw') return { id, debitAccountId: accounts[o.from]!.id, creditAccountId: vault, amount: o.amount, code: 'WITHDRAWAL' };
  return { id, debitAccountId: accounts[o.from]!.id, creditAccountId: accounts[o.to]!.id, amount: o.amount, code: 'TRANSFER' };
}

it('statement arithmetic equals the ledger for random histories and periods', async () => {
  const runs = Number(process.env.STATEMENT_PROPERTY_RUNS ?? 25);
  await fc.assert(
    fc.asyncProperty(history, slot, bound, bound, async (batches, which, b1, b2) => {
      const customer = await createCustomer(db.pool);
      const accounts = [
        await createAccount(db.pool, customer),
        await createAccount(db.pool, customer),
        await createAccount(db.pool, customer),
      ];
      // Failures (an overdraft, a transfer to itself) are part of a random history: they post nothing.
      for (const batch of batches)
        await createTransfers(
          db.pool,
          batch.map((o) => toInput(o, accounts)),
        );
      const account = accounts[which]!;

      // The account's entries as the database stores them, with exact (microsecond) times.
      const { rows: entries } = await db.pool.query<{
        id: bigint;
        at: string;
        amount: bigint;
        after: bigint;
      }>(
        `select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
                amount, balance_after as after
         from ledger_entries where account_id = $1 order by created_at, id`,
        [account.id],
      );
      const micros = (iso: string) => {
        const p = parseInstant(iso, 'start');
        if (!p.ok) throw new Error(iso);
        return p.micros;
      };
      const pick = (b: { at: number; shift: bigint }) => {
        if (entries.length === 0) return BigInt(Date.now()) * 1000n + b.shift;
        const e = entries[Math.min(entries.length - 1, Math.floor(b.at * entries.length))]!;
        return micros(e.at) + b.shift;
      };
      const [lo, hi] = [pick(b1), pick(b2)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)) as [bigint, bigint];
      const period = resolvePeriod(
        { from: microsToIso(lo), to: microsToIso(hi) },
        { maxDays: 366, defaultFrom: 30 },
      );

      const s = await buildStatement(db.pool, account, period);

      // Exactly the entries in [from, to], in ledger order.
      const expected = entries.filter((e) => micros(e.at) >= lo && micros(e.at) <= hi);
      expect(s.lines.map((l) => l.entryId)).toEqual(expected.map((e) => e.id));
      // Opening and closing are the ledger's balances at the bounds.
      expect(s.openingBalance).toBe(await balanceAt(db.pool, account.id, microsToIso(lo - 1n)));
      expect(s.closingBalance).toBe(await balanceAt(db.pool, account.id, microsToIso(hi)));
      // The running balance chain, and opening + lines = closing.
      let running = s.openingBalance;
      for (const l of s.lines) {
        running += l.amount;
        expect(l.balance).toBe(running);
      }
      expect(running).toBe(s.closingBalance);
      const sum = s.lines.reduce((t, l) => t + l.amount, 0n);
      expect(s.openingBalance + sum).toBe(s.closingBalance);
      expect(s.totalIn - s.totalOut).toBe(sum);
      expect(s.totalIn).toBe(s.lines.filter((l) => l.amount > 0n).reduce((t, l) => t + l.amount, 0n));
      // A period reaching the present closes at the account's balance now.
      if (hi >= micros(entries.at(-1)?.at ?? '1970-01-01T00:00:00Z')) {
        const { rows } = await db.pool.query<{ balance: bigint }>(
          'select credits_posted - debits_posted as balance from ledger_accounts where id = $1',
          [account.id],
        );
        expect(s.closingBalance).toBe(rows[0]!.balance);
      }
    }),
    { numRuns: runs },
  );
});
