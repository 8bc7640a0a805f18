// The accounts service on real PostgreSQL: opening, balances, the status lifecycle, closing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeAccount,
  findAccountByNumber,
  freezeAccount,
  getAccount,
  listCustomerAccounts,
  openAccount,
  unfreezeAccount,
  type OpenAccountInput,
} from '../../src/modules/accounts/service.js';
import { createTransfers, internalAccountIdOf, reconcile } from '../../src/modules/ledger/service.js';
import { tx } from '../../src/platform/db/tx.js';
import { BankError } from '../../src/platform/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let customerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const { rows } = await db.pool.query<{ id: string }>(
    `insert into customers (full_name, email) values ('Ada Lovelace', $1) returning id`,
    [`ada-${randomUUID()}@example.com`],
  );
  customerId = rows[0]!.id;
});
afterAll(async () => {
  await db.drop();
});

const open = (input: Partial<OpenAccountInput> = {}) =>
  tx(db.pool, (c) => openAccount(c, { customerId, type: 'CHECKING', currency: 'USD', ...input }));
const deposit = (accountId: string, amount: bigint) =>
  createTransfers(db.pool, [
    {
      id: randomUUID(),
      debitAccountId: internalAccountIdOf('USD', 'VAULT'),
      creditAccountId: accountId,
      amount,
      code: 'DEPOSIT',
    },
  ]);
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof BankError ? e.code : String(e)),
  );

describe('opening', () => {
  it('creates an active account with a valid number, zero balance and type defaults', async () => {
    const a = await open({ type: 'SAVINGS', nickname: 'Rainy day' });
    expect(a).toMatchObject({
      customerId,
      type: 'SAVINGS',
      currency: 'USD',
      status: 'ACTIVE',
      balance: 0n,
      availableBalance: 0n,
      interestRate: '1.5000',
      nickname: 'Rainy day',
      closedAt: null,
    });
    expect((await findAccountByNumber(db.pool, a.accountNumber))?.id).toBe(a.id);
  });

  it('gives a credit account its credit line as available balance', async () => {
    const a = await open({ type: 'CREDIT' });
    expect(a).toMatchObject({ balance: 0n, overdraftLimit: 100_000n, availableBalance: 100_000n });
  });

  it('refuses an unknown currency and an unknown customer, creating nothing', async () => {
    const before = (await listCustomerAccounts(db.pool, customerId)).length;
    expect(await code(open({ currency: 'XXX' }))).toBe('INVALID_REQUEST');
    expect(await code(open({ customerId: randomUUID() }))).toBe('NOT_FOUND');
    expect((await listCustomerAccounts(db.pool, customerId)).length).toBe(before);
  });

  it('refuses a number with a wrong check digit before looking it up', async () => {
    const a = await open();
    const last = Number(a.accountNumber.slice(-1));
    const wrong = a.accountNumber.slice(0, -1) + String((last + 1) % 10);
    expect(await code(findAccountByNumber(db.pool, wrong))).toBe('INVALID_ACCOUNT_NUMBER');
  });
});

describe('balances', () => {
  it('show holds and the overdraft in the available balance', async () => {
    const a = await open({ overdraftLimit: 5000n });
    await deposit(a.id, 10_000n);
    await createTransfers(db.pool, [
      {
        id: randomUUID(),
        phase: 'pending',
        debitAccountId: a.id,
        creditAccountId: internalAccountIdOf('USD', 'CLEARING'),
        amount: 3000n,
        code: 'EXTERNAL_OUT',
      },
    ]);
    expect(await getAccount(db.pool, a.id)).toMatchObject({ balance: 10_000n, availableBalance: 12_000n });
  });
});

describe('lifecycle', () => {
  it('freezes, refuses movement while frozen, unfreezes', async () => {
    const a = await open();
    await deposit(a.id, 100n);
    expect((await tx(db.pool, (c) => freezeAccount(c, a.id))).status).toBe('FROZEN');
    expect(await code(tx(db.pool, (c) => freezeAccount(c, a.id)))).toBe('CONFLICT');
    expect((await deposit(a.id, 1n))[0]?.result).toBe('credit_account_frozen');
    expect(await code(tx(db.pool, (c) => closeAccount(c, a.id)))).toBe('ACCOUNT_FROZEN');
    expect((await tx(db.pool, (c) => unfreezeAccount(c, a.id))).status).toBe('ACTIVE');
    expect(await code(tx(db.pool, (c) => unfreezeAccount(c, a.id)))).toBe('CONFLICT');
    expect((await deposit(a.id, 1n))[0]?.result).toBe('ok');
  });

  it('closes only an empty account, and a closed account refuses everything', async () => {
    const a = await open();
    await deposit(a.id, 100n);
    expect(await code(tx(db.pool, (c) => closeAccount(c, a.id)))).toBe('ACCOUNT_NOT_EMPTY');
    await createTransfers(db.pool, [
      {
        id: randomUUID(),
        debitAccountId: a.id,
        creditAccountId: internalAccountIdOf('USD', 'VAULT'),
        amount: 100n,
        code: 'WITHDRAWAL',
      },
    ]);
    const closed = await tx(db.pool, (c) => closeAccount(c, a.id));
    expect(closed.status).toBe('CLOSED');
    expect(closed.closedAt).not.toBeNull();
    expect((await deposit(a.id, 1n))[0]?.result).toBe('credit_account_closed');
    expect(await code(tx(db.pool, (c) => closeAccount(c, a.id)))).toBe('CONFLICT');
    expect(await code(tx(db.pool, (c) => freezeAccount(c, a.id)))).toBe('CONFLICT');
  });

  it('refuses to close an account with an open hold', async () => {
    const a = await open();
    await createTransfers(db.pool, [
      {
        id: randomUUID(),
        phase: 'pending',
        debitAccountId: internalAccountIdOf('USD', 'CLEARING'),
        creditAccountId: a.id,
        amount: 5n,
        code: 'EXTERNAL_IN',
      },
    ]);
    expect(await code(tx(db.pool, (c) => closeAccount(c, a.id)))).toBe('ACCOUNT_NOT_EMPTY');
  });

  it('answers NOT_FOUND for an unknown account', async () => {
    expect(await code(tx(db.pool, (c) => freezeAccount(c, randomUUID())))).toBe('NOT_FOUND');
    expect(await getAccount(db.pool, randomUUID())).toBeUndefined();
  });

  it('leaves the ledger reconciled', async () => {
    expect((await reconcile(db.pool)).discrepancies).toEqual([]);
  });
});
