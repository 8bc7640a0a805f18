// overlay(): what a pipelined group plans on — its own unlocked read, seen as the group before
// it will leave things. Pure; the database side is test/ledger/ledger.group-commit.test.ts.
import { describe, expect, it } from 'vitest';
import { depositAccountState } from '../../../test/helpers/ledger.js';
import type { AccountState, KnownTransfer } from './engine.js';
import { overlay } from './group-commit.js';
import type { LedgerLocks } from './steps.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const D = '00000000-0000-4000-8000-00000000000d';
const P = '00000000-0000-4000-8000-000000000001'; // a pending the group before creates
const Q = '00000000-0000-4000-8000-000000000002'; // a stored transfer the group before reverses
const R = '00000000-0000-4000-8000-000000000003'; // the group before's post of a stored pending
const S = '00000000-0000-4000-8000-000000000004'; // a stored pending

const account = depositAccountState;

const transfer = (id: string, fields: Partial<KnownTransfer>): KnownTransfer => ({
  id,
  phase: 'single',
  debitAccountId: A,
  creditAccountId: B,
  amount: 10n,
  currency: 'USD',
  pendingId: null,
  reversesId: null,
  code: 'TRANSFER',
  linked: false,
  timeoutSeconds: null,
  expiresAt: null,
  metadata: {},
  resolution: null,
  reversed: false,
  ...fields,
});

const read = (accounts: AccountState[], known: KnownTransfer[]): LedgerLocks => ({
  accounts,
  known: new Map(known.map((t) => [t.id, t])),
  now: new Date('2026-01-01T00:00:00Z'),
  locked: true,
});

describe('overlay', () => {
  it('takes the states the group before leaves where the two share accounts, and only there', () => {
    const seen = overlay(
      read([account(A, 100n), account(B, 5n)], []),
      {
        accounts: new Map([
          [A, account(A, 40n)],
          [C, account(C, 1n)],
        ]),
        transfers: [],
      },
      [{ id: P, debitAccountId: A, creditAccountId: B, amount: 1n, code: 'TRANSFER' }],
    );
    expect(seen.accounts.map((a) => [a.id, a.creditsPosted])).toEqual([
      [A, 40n],
      [B, 5n],
    ]);
    expect(seen.locked).toBe(false); // so the write checks every account it read
  });

  it('knows the transfers the group before creates when this one names them, with their accounts', () => {
    const pending = transfer(P, { phase: 'pending', debitAccountId: C, creditAccountId: D });
    const other = transfer(Q, {});
    const seen = overlay(
      read([], []),
      {
        accounts: new Map([
          [C, account(C, 9n)],
          [D, account(D, 0n)],
        ]),
        transfers: [pending, other],
      },
      [{ id: R, phase: 'post_pending', pendingId: P, code: 'TRANSFER' }],
    );
    expect([...seen.known.keys()]).toEqual([P]); // Q is not named: not loaded
    expect(seen.accounts.map((a) => a.id).sort()).toEqual([C, D]);
  });

  it('marks the pendings the group before resolves and the transfers it reverses', () => {
    const storedPending = transfer(S, { phase: 'pending' });
    const storedPosted = transfer(Q, {});
    const seen = overlay(
      read([account(A, 100n), account(B, 0n)], [storedPending, storedPosted]),
      {
        accounts: new Map(),
        transfers: [
          transfer(R, { phase: 'post_pending', pendingId: S }),
          transfer(P, { debitAccountId: B, creditAccountId: A, reversesId: Q }),
        ],
      },
      [
        { id: '00000000-0000-4000-8000-000000000005', phase: 'void_pending', pendingId: S, code: 'TRANSFER' },
        { id: '00000000-0000-4000-8000-000000000006', reversesId: Q, code: 'REVERSAL' },
      ],
    );
    expect(seen.known.get(S)?.resolution).toBe('post_pending');
    expect(seen.known.get(Q)?.reversed).toBe(true);
    // The read itself is left as it was.
    expect(storedPending.resolution).toBeNull();
    expect(storedPosted.reversed).toBe(false);
  });
});
