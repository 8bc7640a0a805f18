// The pure batch planner, without a database: what it decides and what it plans to write.
import { describe, expect, it } from 'vitest';
import { depositAccountState } from '../../../test/helpers/ledger.js';
import { planBatch } from './engine.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const T1 = '00000000-0000-4000-8000-000000000001';
const T2 = '00000000-0000-4000-8000-000000000002';
const T3 = '00000000-0000-4000-8000-000000000003';

const account = depositAccountState;
const now = new Date('2026-01-01T00:00:00Z');

describe('planBatch', () => {
  it('plans one row update per account however many transfers touch it', () => {
    const plan = planBatch(
      [
        { id: T1, debitAccountId: A, creditAccountId: B, amount: 10n, code: 'TRANSFER' },
        { id: T2, debitAccountId: A, creditAccountId: B, amount: 20n, code: 'TRANSFER' },
      ],
      [account(A, 100n), account(B, 0n)],
      new Map(),
      now,
    );
    expect(plan.results).toEqual(['ok', 'ok']);
    expect(plan.accounts.map((a) => [a.id, a.debitsPosted, a.creditsPosted])).toEqual([
      [A, 30n, 100n],
      [B, 0n, 30n],
    ]);
    expect(plan.entries.map((e) => [e.accountId, e.amount, e.balanceAfter])).toEqual([
      [A, -10n, 90n],
      [B, 10n, 10n],
      [A, -20n, 70n],
      [B, 20n, 30n],
    ]);
  });

  it('rolls back a failed chain completely, keeping the transfers before it', () => {
    const plan = planBatch(
      [
        { id: T1, debitAccountId: A, creditAccountId: B, amount: 10n, code: 'TRANSFER' },
        { id: T2, debitAccountId: A, creditAccountId: B, amount: 50n, code: 'TRANSFER', linked: true },
        { id: T3, debitAccountId: A, creditAccountId: B, amount: 500n, code: 'TRANSFER' },
      ],
      [account(A, 100n), account(B, 0n)],
      new Map(),
      now,
    );
    expect(plan.results).toEqual(['ok', 'linked_event_failed', 'exceeds_credits']);
    expect(plan.transfers.map((t) => t.id)).toEqual([T1]);
    expect(plan.entries).toHaveLength(2);
  });

  it('opens and closes a hold within one batch without touching the holds table', () => {
    const plan = planBatch(
      [
        {
          id: T1,
          phase: 'pending',
          debitAccountId: A,
          creditAccountId: B,
          amount: 40n,
          code: 'TRANSFER',
          timeoutSeconds: 60,
        },
        { id: T2, phase: 'post_pending', pendingId: T1, amount: 25n, code: 'TRANSFER' },
      ],
      [account(A, 100n), account(B, 0n)],
      new Map(),
      now,
    );
    expect(plan.results).toEqual(['ok', 'ok']);
    expect(plan.pendingInserts).toEqual([]);
    expect(plan.pendingDeletes).toEqual([]);
    expect(plan.transfers[0]?.expiresAt?.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(plan.accounts.find((a) => a.id === A)).toMatchObject({ debitsPosted: 25n, debitsPending: 0n });
  });

  it('plans nothing for a batch that fails entirely', () => {
    const plan = planBatch(
      [{ id: T1, debitAccountId: A, creditAccountId: B, amount: 1000n, code: 'TRANSFER' }],
      [account(A, 100n), account(B, 0n)],
      new Map(),
      now,
    );
    expect(plan).toMatchObject({ results: ['exceeds_credits'], transfers: [], entries: [], accounts: [] });
  });

  describe('segments (batches of several callers decided together)', () => {
    const T4 = '00000000-0000-4000-8000-000000000004';
    const t = (id: string, amount: bigint, linked = false) => ({
      id,
      debitAccountId: A,
      creditAccountId: B,
      amount,
      code: 'TRANSFER',
      linked,
    });

    it('decides them in order, as if posted one after another', () => {
      const first = [t(T1, 60n), t(T2, 30n)];
      const second = [t(T3, 20n), t(T1, 60n)]; // 20 more than A has left; T1 again: exists
      const together = planBatch(
        [...first, ...second],
        [account(A, 100n), account(B, 0n)],
        new Map(),
        now,
        [2, 2],
      );
      expect(together.results).toEqual(['ok', 'ok', 'exceeds_credits', 'exists']);
      expect(together.accounts.find((a) => a.id === A)).toMatchObject({ debitsPosted: 90n });
    });

    it('never carries a linked chain from one segment into the next', () => {
      const plan = planBatch(
        [t(T1, 10n), t(T2, 10n, true), t(T3, 10n), t(T4, 10n)],
        [account(A, 100n), account(B, 0n)],
        new Map(),
        now,
        [2, 2],
      );
      // Without segments T2 would chain with T3; here the first batch's chain is open at its end.
      expect(plan.results).toEqual(['ok', 'linked_event_chain_open', 'ok', 'ok']);
      expect(plan.transfers.map((x) => x.id)).toEqual([T1, T3, T4]);
      const whole = planBatch(
        [t(T1, 10n), t(T2, 10n, true), t(T3, 10n), t(T4, 10n)],
        [account(A, 100n), account(B, 0n)],
        new Map(),
        now,
      );
      expect(whole.results).toEqual(['ok', 'ok', 'ok', 'ok']);
    });

    it('skips empty segments', () => {
      const plan = planBatch(
        [t(T1, 10n), t(T2, 10n)],
        [account(A, 100n), account(B, 0n)],
        new Map(),
        now,
        [0, 1, 0, 1, 0],
      );
      expect(plan.results).toEqual(['ok', 'ok']);
    });
  });
});
