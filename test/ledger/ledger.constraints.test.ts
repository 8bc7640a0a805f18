// The database itself refuses writes that would break double entry or a balance limit, even
// from a caller that bypasses the ledger service and writes SQL straight into the tables.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLedgerAccounts,
  createTransfers,
  internalAccountIdOf,
  reconcile,
} from '../../src/modules/ledger/service.js';
import { tx } from '../../src/platform/db/tx.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let a: string;
let b: string;
let eur: string;
let posted: string;
const vault = internalAccountIdOf('USD', 'VAULT');

beforeAll(async () => {
  db = await createTestDatabase();
  const accounts = await createLedgerAccounts(db.pool, [
    { currency: 'USD', kind: 'liability', debitsMustNotExceedCredits: true },
    { currency: 'USD', kind: 'liability', debitsMustNotExceedCredits: true },
    { currency: 'EUR', kind: 'liability', debitsMustNotExceedCredits: true },
  ]);
  [a, b, eur] = accounts.map((x) => x.id) as [string, string, string];
  posted = randomUUID();
  await createTransfers(db.pool, [
    { id: randomUUID(), debitAccountId: vault, creditAccountId: a, amount: 1000n, code: 'DEPOSIT' },
    { id: posted, debitAccountId: a, creditAccountId: b, amount: 100n, code: 'TRANSFER' },
  ]);
});
afterAll(async () => {
  await db.drop();
});

/** Runs raw SQL in a transaction and returns the error PostgreSQL raised (or undefined). */
async function attempt(sql: string, params: unknown[] = []): Promise<string | undefined> {
  try {
    await tx(db.pool, (c) => c.query(sql, params), { maxAttempts: 1 });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const insertTransfer = `insert into ledger_transfers (id, phase, debit_account_id, credit_account_id, amount, currency, code, created_at)
                        values ($1, 'single', $2, $3, $4, $5, 'TRANSFER', now())`;

describe('the database refuses', () => {
  it('a non-positive amount', async () => {
    expect(await attempt(insertTransfer, [randomUUID(), a, b, 0, 'USD'])).toMatch(/check constraint/);
    expect(await attempt(insertTransfer, [randomUUID(), a, b, -5, 'USD'])).toMatch(/check constraint/);
  });

  it('a transfer between currencies or to a missing account', async () => {
    expect(await attempt(insertTransfer, [randomUUID(), a, eur, 5, 'USD'])).toMatch(
      /missing account or one in another currency/,
    );
    expect(await attempt(insertTransfer, [randomUUID(), a, randomUUID(), 5, 'USD'])).toMatch(
      /missing account/,
    );
  });

  it('a posted transfer without its entries', async () => {
    expect(await attempt(insertTransfer, [randomUUID(), a, b, 5, 'USD'])).toMatch(/has no entries/);
  });

  it('entries without their transfer', async () => {
    const msg = await attempt(
      `insert into ledger_entries (account_id, transfer_id, amount, balance_after, created_at)
       values ($1, $3, -5, 895, now()), ($2, $3, 5, 105, now())`,
      [a, b, randomUUID()],
    );
    expect(msg).toMatch(/do not balance/);
  });

  it('a lone, unbalanced entry', async () => {
    const msg = await attempt(
      `with t as (insert into ledger_transfers (id, phase, debit_account_id, credit_account_id, amount, currency, code, created_at)
                   values ($1, 'single', $2, $3, 5, 'USD', 'TRANSFER', now()) returning id)
       insert into ledger_entries (account_id, transfer_id, amount, balance_after, created_at)
       select $3, id, 5, 105, now() from t`,
      [randomUUID(), a, b],
    );
    expect(msg).toMatch(/do not balance/);
  });

  it('entries that balance but do not match their transfer', async () => {
    const t = randomUUID();
    const msg = await attempt(
      `with t as (insert into ledger_transfers (id, phase, debit_account_id, credit_account_id, amount, currency, code, created_at)
                   values ($1, 'single', $2, $3, 5, 'USD', 'TRANSFER', now()) returning id)
       insert into ledger_entries (account_id, transfer_id, amount, balance_after, created_at)
       select * from (values ($2::uuid, $1::uuid, -7::int8, 893::int8, now()), ($3::uuid, $1::uuid, 7::int8, 107::int8, now())) v`,
      [t, a, b],
    );
    expect(msg).toMatch(/does not match its transfer/);
  });

  it('money created by raising one balance', async () => {
    expect(
      await attempt('update ledger_accounts set credits_posted = credits_posted + 500 where id = $1', [a]),
    ).toMatch(/does not net to zero/);
  });

  it('balances moved without entries, even when they net to zero', async () => {
    const msg = await attempt(
      `update ledger_accounts set debits_posted = debits_posted + case when id = $1 then 50 else 0 end,
                                  credits_posted = credits_posted + case when id = $2 then 50 else 0 end
       where id in ($1, $2)`,
      [a, b],
    );
    expect(msg).toMatch(/does not match its entries/);
  });

  it('a balance beyond the account limit', async () => {
    const msg = await attempt(
      `update ledger_accounts set debits_pending = debits_pending + case when id = $1 then 5000 else 0 end,
                                  credits_pending = credits_pending + case when id = $2 then 5000 else 0 end
       where id in ($1, $2)`,
      [a, b],
    );
    expect(msg).toMatch(/ledger_accounts_debit_limit/);
  });

  it('an account born with a balance', async () => {
    expect(
      await attempt(
        `insert into ledger_accounts (currency, kind, credits_posted) values ('USD', 'liability', 100)`,
      ),
    ).toMatch(/must start with zero/);
  });

  it('closing an account that holds money', async () => {
    expect(await attempt(`update ledger_accounts set status = 'CLOSED' where id = $1`, [a])).toMatch(
      /ledger_accounts_closed_empty/,
    );
  });

  it('changing or deleting history', async () => {
    expect(await attempt('update ledger_transfers set amount = 1 where id = $1', [posted])).toMatch(
      /append-only/,
    );
    expect(await attempt('delete from ledger_transfers where id = $1', [posted])).toMatch(/append-only/);
    expect(
      await attempt('update ledger_entries set amount = amount where transfer_id = $1', [posted]),
    ).toMatch(/append-only/);
    expect(await attempt('delete from ledger_entries')).toMatch(/append-only/);
    expect(await attempt('delete from ledger_accounts where id = $1', [b])).toMatch(/not allowed/);
  });

  it('posting the same transfer twice', async () => {
    const msg = await attempt(
      `insert into ledger_entries (account_id, transfer_id, amount, balance_after, created_at)
       values ($1, $3, -100, 800, now()), ($2, $3, 100, 200, now())`,
      [a, b, posted],
    );
    expect(msg).toMatch(/duplicate key value violates unique constraint "ledger_entries_pkey"/);
  });

  it('and after all of it, the ledger still reconciles', async () => {
    expect((await reconcile(db.pool)).discrepancies).toEqual([]);
  });
});
