// Examples of every ledger rule and failure reason against real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  balanceAt,
  createLedgerAccounts,
  createTransfers,
  expirePendingTransfers,
  getLedgerAccount,
  internalAccountIdOf,
  reconcile,
  setLedgerAccountStatus,
} from '../../src/modules/ledger/service.js';
import type { LedgerAccount, TransferInput } from '../../src/modules/ledger/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const id = () => randomUUID();
const vault = internalAccountIdOf('USD', 'VAULT');

async function depositAccount(funds = 1000n, overdraftLimit = 0n): Promise<LedgerAccount> {
  const [a] = await createLedgerAccounts(db.pool, [
    { currency: 'USD', kind: 'liability', debitsMustNotExceedCredits: true, overdraftLimit },
  ]);
  if (funds > 0n) {
    const [r] = await createTransfers(db.pool, [
      { id: id(), debitAccountId: vault, creditAccountId: a!.id, amount: funds, code: 'DEPOSIT' },
    ]);
    expect(r?.result).toBe('ok');
  }
  return a!;
}

const balance = async (accountId: string) => {
  const a = await getLedgerAccount(db.pool, accountId);
  return a!.creditsPosted - a!.debitsPosted;
};

describe('internal accounts', () => {
  it('exist for every seeded currency under their derived ids', async () => {
    for (const c of ['USD', 'EUR', 'GBP', 'JPY', 'BHD']) {
      for (const p of ['VAULT', 'CLEARING', 'INTEREST_EXPENSE', 'FEE_INCOME', 'SUSPENSE'] as const) {
        const a = await getLedgerAccount(db.pool, internalAccountIdOf(c, p));
        expect(a, `${c} ${p}`).toMatchObject({ currency: c, purpose: p });
      }
    }
  });

  it('knows each currency exponent, including 0 and 3 digits', async () => {
    const { rows } = await db.pool.query<{ code: string; exponent: number }>(
      `select code, exponent from currencies where code in ('USD','JPY','BHD','KWD') order by code`,
    );
    expect(rows).toEqual([
      { code: 'BHD', exponent: 3 },
      { code: 'JPY', exponent: 0 },
      { code: 'KWD', exponent: 3 },
      { code: 'USD', exponent: 2 },
    ]);
  });
});

describe('single transfers', () => {
  it('move money and record entries with the balance after each', async () => {
    const a = await depositAccount(1000n);
    const b = await depositAccount(0n);
    const t = id();
    expect(
      await createTransfers(db.pool, [
        { id: t, debitAccountId: a.id, creditAccountId: b.id, amount: 250n, code: 'TRANSFER' },
      ]),
    ).toEqual([{ id: t, result: 'ok' }]);
    expect(await balance(a.id)).toBe(750n);
    expect(await balance(b.id)).toBe(250n);
    const { rows } = await db.pool.query<{ account_id: string; amount: bigint; balance_after: bigint }>(
      'select account_id, amount, balance_after from ledger_entries where transfer_id = $1 order by id',
      [t],
    );
    expect(rows).toEqual([
      { account_id: a.id, amount: -250n, balance_after: 750n },
      { account_id: b.id, amount: 250n, balance_after: 250n },
    ]);
  });

  it('honour the overdraft limit exactly', async () => {
    const a = await depositAccount(100n, 50n);
    const b = await depositAccount(0n);
    const r = await createTransfers(db.pool, [
      { id: id(), debitAccountId: a.id, creditAccountId: b.id, amount: 151n, code: 'TRANSFER' },
      { id: id(), debitAccountId: a.id, creditAccountId: b.id, amount: 150n, code: 'TRANSFER' },
      { id: id(), debitAccountId: a.id, creditAccountId: b.id, amount: 1n, code: 'TRANSFER' },
    ]);
    expect(r.map((x) => x.result)).toEqual(['exceeds_credits', 'ok', 'exceeds_credits']);
    expect(await balance(a.id)).toBe(-50n);
  });

  it('are idempotent by id: same fields → exists, different fields → refused', async () => {
    const a = await depositAccount(1000n);
    const b = await depositAccount(0n);
    const t: TransferInput = {
      id: id(),
      debitAccountId: a.id,
      creditAccountId: b.id,
      amount: 10n,
      code: 'TRANSFER',
    };
    expect((await createTransfers(db.pool, [t]))[0]?.result).toBe('ok');
    expect((await createTransfers(db.pool, [t]))[0]?.result).toBe('exists');
    expect((await createTransfers(db.pool, [{ ...t, amount: 11n }]))[0]?.result).toBe(
      'exists_with_different_fields',
    );
    expect(await balance(b.id)).toBe(10n);
  });
});

describe('bad input: each transfer gets its own reason and changes nothing, neighbours unaffected', () => {
  it.each<
    [
      string,
      (ctx: { a: string; b: string; eur: string; frozen: string; closed: string }) => Partial<TransferInput>,
    ]
  >([
    ['amount_must_be_positive', ({ a, b }) => ({ debitAccountId: a, creditAccountId: b, amount: 0n })],
    ['amount_must_be_positive', ({ a, b }) => ({ debitAccountId: a, creditAccountId: b, amount: -5n })],
    ['accounts_must_be_different', ({ a }) => ({ debitAccountId: a, creditAccountId: a, amount: 1n })],
    [
      'debit_account_not_found',
      ({ b }) => ({ debitAccountId: randomUUID(), creditAccountId: b, amount: 1n }),
    ],
    [
      'credit_account_not_found',
      ({ a }) => ({ debitAccountId: a, creditAccountId: randomUUID(), amount: 1n }),
    ],
    ['currency_mismatch', ({ a, eur }) => ({ debitAccountId: a, creditAccountId: eur, amount: 1n })],
    ['debit_account_frozen', ({ frozen, b }) => ({ debitAccountId: frozen, creditAccountId: b, amount: 1n })],
    [
      'credit_account_frozen',
      ({ a, frozen }) => ({ debitAccountId: a, creditAccountId: frozen, amount: 1n }),
    ],
    ['debit_account_closed', ({ closed, b }) => ({ debitAccountId: closed, creditAccountId: b, amount: 1n })],
    [
      'credit_account_closed',
      ({ a, closed }) => ({ debitAccountId: a, creditAccountId: closed, amount: 1n }),
    ],
    ['exceeds_credits', ({ a, b }) => ({ debitAccountId: a, creditAccountId: b, amount: 1_000_000n })],
    ['pending_transfer_not_found', () => ({ phase: 'post_pending', pendingId: randomUUID() })],
    ['pending_id_required', () => ({ phase: 'void_pending' })],
    [
      'pending_id_not_allowed',
      ({ a, b }) => ({ debitAccountId: a, creditAccountId: b, amount: 1n, pendingId: randomUUID() }),
    ],
    [
      'timeout_reserved_for_pending_transfer',
      ({ a, b }) => ({ debitAccountId: a, creditAccountId: b, amount: 1n, timeoutSeconds: 5 }),
    ],
    [
      'timeout_must_be_positive',
      ({ a, b }) => ({
        phase: 'pending',
        debitAccountId: a,
        creditAccountId: b,
        amount: 1n,
        timeoutSeconds: 0,
      }),
    ],
    ['reversal_target_not_found', () => ({ reversesId: randomUUID() })],
    ['debit_account_required', ({ b }) => ({ creditAccountId: b, amount: 1n })],
    [
      'id_must_be_uuid',
      ({ a, b }) => ({ id: 'not-a-uuid', debitAccountId: a, creditAccountId: b, amount: 1n }),
    ],
  ])('%s', async (reason, make) => {
    const a = await depositAccount(500n);
    const b = await depositAccount(0n);
    const [eur] = await createLedgerAccounts(db.pool, [{ currency: 'EUR', kind: 'liability' }]);
    const frozen = await depositAccount(100n);
    await setLedgerAccountStatus(db.pool, frozen.id, 'FROZEN');
    const closed = await depositAccount(0n);
    await setLedgerAccountStatus(db.pool, closed.id, 'CLOSED');
    const bad = {
      id: id(),
      code: 'TRANSFER',
      ...make({ a: a.id, b: b.id, eur: eur!.id, frozen: frozen.id, closed: closed.id }),
    } as TransferInput;
    const before = await reconcile(db.pool);
    const good = (n: bigint): TransferInput => ({
      id: id(),
      debitAccountId: a.id,
      creditAccountId: b.id,
      amount: n,
      code: 'TRANSFER',
    });
    const results = await createTransfers(db.pool, [good(1n), bad, good(2n)]);
    expect(results.map((r) => r.result)).toEqual(['ok', reason, 'ok']);
    expect(await balance(a.id)).toBe(497n);
    expect(await balance(b.id)).toBe(3n);
    const after = await reconcile(db.pool);
    expect(after.ok).toBe(true);
    expect(after.transfers - before.transfers).toBe(2);
  });
});

describe('linked chains', () => {
  it('succeed or fail together', async () => {
    const a = await depositAccount(100n);
    const b = await depositAccount(0n);
    const c = await depositAccount(0n);
    const t = (debit: string, credit: string, amount: bigint, linked = false): TransferInput => ({
      id: id(),
      debitAccountId: debit,
      creditAccountId: credit,
      amount,
      code: 'TRANSFER',
      linked,
    });
    const r1 = await createTransfers(db.pool, [
      t(a.id, b.id, 60n, true),
      t(b.id, c.id, 60n, true),
      t(a.id, c.id, 60n),
      t(a.id, b.id, 10n),
    ]);
    expect(r1.map((r) => r.result)).toEqual([
      'linked_event_failed',
      'linked_event_failed',
      'exceeds_credits',
      'ok',
    ]);
    expect([await balance(a.id), await balance(b.id), await balance(c.id)]).toEqual([90n, 10n, 0n]);
    const r2 = await createTransfers(db.pool, [t(a.id, b.id, 50n, true), t(b.id, c.id, 55n)]);
    expect(r2.map((r) => r.result)).toEqual(['ok', 'ok']);
    expect([await balance(a.id), await balance(b.id), await balance(c.id)]).toEqual([40n, 5n, 55n]);
  });

  it('refuse a chain left open at the end of the batch', async () => {
    const a = await depositAccount(100n);
    const b = await depositAccount(0n);
    const r = await createTransfers(db.pool, [
      { id: id(), debitAccountId: a.id, creditAccountId: b.id, amount: 1n, code: 'TRANSFER', linked: true },
      { id: id(), debitAccountId: a.id, creditAccountId: b.id, amount: 1n, code: 'TRANSFER', linked: true },
    ]);
    expect(r.map((x) => x.result)).toEqual(['linked_event_failed', 'linked_event_chain_open']);
    expect(await balance(b.id)).toBe(0n);
  });
});

describe('pending transfers', () => {
  it('hold funds, post in part (releasing the rest), never twice', async () => {
    const a = await depositAccount(100n);
    const b = await depositAccount(0n);
    const p = id();
    await createTransfers(db.pool, [
      { id: p, phase: 'pending', debitAccountId: a.id, creditAccountId: b.id, amount: 80n, code: 'TRANSFER' },
    ]);
    expect(await getLedgerAccount(db.pool, a.id)).toMatchObject({ debitsPending: 80n, debitsPosted: 0n });
    const spend = await createTransfers(db.pool, [
      { id: id(), debitAccountId: a.id, creditAccountId: b.id, amount: 21n, code: 'TRANSFER' },
    ]);
    expect(spend[0]?.result).toBe('exceeds_credits');
    const r = await createTransfers(db.pool, [
      { id: id(), phase: 'post_pending', pendingId: p, amount: 81n, code: 'TRANSFER' },
      { id: id(), phase: 'post_pending', pendingId: p, amount: 30n, code: 'TRANSFER' },
      { id: id(), phase: 'post_pending', pendingId: p, code: 'TRANSFER' },
      { id: id(), phase: 'void_pending', pendingId: p, code: 'TRANSFER' },
    ]);
    expect(r.map((x) => x.result)).toEqual([
      'exceeds_pending_transfer_amount',
      'ok',
      'pending_transfer_already_posted',
      'pending_transfer_already_posted',
    ]);
    expect(await getLedgerAccount(db.pool, a.id)).toMatchObject({ debitsPending: 0n, debitsPosted: 30n });
    expect(await balance(b.id)).toBe(30n);
  });

  it('void releases the funds, once', async () => {
    const a = await depositAccount(100n);
    const b = await depositAccount(0n);
    const p = id();
    await createTransfers(db.pool, [
      {
        id: p,
        phase: 'pending',
        debitAccountId: a.id,
        creditAccountId: b.id,
        amount: 100n,
        code: 'TRANSFER',
      },
    ]);
    const r = await createTransfers(db.pool, [
      { id: id(), phase: 'void_pending', pendingId: p, code: 'TRANSFER' },
      { id: id(), phase: 'void_pending', pendingId: p, code: 'TRANSFER' },
      { id: id(), phase: 'post_pending', pendingId: p, code: 'TRANSFER' },
    ]);
    expect(r.map((x) => x.result)).toEqual([
      'ok',
      'pending_transfer_already_voided',
      'pending_transfer_already_voided',
    ]);
    expect(await getLedgerAccount(db.pool, a.id)).toMatchObject({ debitsPending: 0n, debitsPosted: 0n });
  });

  it('expire after their timeout: the sweeper releases the funds and a late post is refused', async () => {
    const a = await depositAccount(100n);
    const b = await depositAccount(0n);
    const p = id();
    await createTransfers(db.pool, [
      {
        id: p,
        phase: 'pending',
        debitAccountId: a.id,
        creditAccountId: b.id,
        amount: 70n,
        code: 'TRANSFER',
        timeoutSeconds: 1,
      },
    ]);
    expect(await getLedgerAccount(db.pool, a.id)).toMatchObject({ debitsPending: 70n });
    await new Promise((r) => setTimeout(r, 1100));
    const late = await createTransfers(db.pool, [
      { id: id(), phase: 'post_pending', pendingId: p, code: 'TRANSFER' },
    ]);
    expect(late[0]?.result).toBe('pending_transfer_expired');
    expect(await expirePendingTransfers(db.pool)).toBeGreaterThanOrEqual(1);
    expect(await getLedgerAccount(db.pool, a.id)).toMatchObject({ debitsPending: 0n, debitsPosted: 0n });
    const again = await createTransfers(db.pool, [
      { id: id(), phase: 'void_pending', pendingId: p, code: 'TRANSFER' },
    ]);
    expect(again[0]?.result).toBe('pending_transfer_expired');
    expect((await reconcile(db.pool, { expiryGraceSeconds: 0 })).ok).toBe(true);
  });
});

describe('reversals', () => {
  it('mirror a posted transfer exactly once', async () => {
    const a = await depositAccount(100n);
    const b = await depositAccount(0n);
    const t = id();
    await createTransfers(db.pool, [
      { id: t, debitAccountId: a.id, creditAccountId: b.id, amount: 40n, code: 'TRANSFER' },
    ]);
    const r = await createTransfers(db.pool, [
      { id: id(), reversesId: t, amount: 39n, code: 'REVERSAL' },
      { id: id(), reversesId: t, code: 'REVERSAL' },
      { id: id(), reversesId: t, code: 'REVERSAL' },
    ]);
    expect(r.map((x) => x.result)).toEqual([
      'reversal_must_mirror_target',
      'ok',
      'reversal_target_already_reversed',
    ]);
    expect([await balance(a.id), await balance(b.id)]).toEqual([100n, 0n]);
  });

  it('respect the balance limit of the account that gives the money back', async () => {
    const a = await depositAccount(100n);
    const b = await depositAccount(0n);
    const c = await depositAccount(0n);
    const t = id();
    await createTransfers(db.pool, [
      { id: t, debitAccountId: a.id, creditAccountId: b.id, amount: 40n, code: 'TRANSFER' },
      { id: id(), debitAccountId: b.id, creditAccountId: c.id, amount: 40n, code: 'TRANSFER' },
    ]);
    const r = await createTransfers(db.pool, [{ id: id(), reversesId: t, code: 'REVERSAL' }]);
    expect(r[0]?.result).toBe('exceeds_credits');
  });
});

describe('balances over time', () => {
  it('answers the balance at a point in time from the entries', async () => {
    const a = await depositAccount(100n);
    const { rows } = await db.pool.query<{ now: string }>('select clock_timestamp()::text as now');
    const mid = rows[0]!.now;
    await createTransfers(db.pool, [
      { id: id(), debitAccountId: vault, creditAccountId: a.id, amount: 5n, code: 'DEPOSIT' },
    ]);
    expect(await balanceAt(db.pool, a.id, mid)).toBe(100n);
    expect(await balanceAt(db.pool, a.id, new Date(Date.now() + 60_000).toISOString())).toBe(105n);
    expect(await balanceAt(db.pool, a.id, '2000-01-01T00:00:00Z')).toBe(0n);
  });
});
