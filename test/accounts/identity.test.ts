// Account identities (accounts/identity.ts) on real PostgreSQL: read once per pool, never from an
// open transaction, never past the access check, and fixed by the database (migration 0302).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accountIdentity } from '../../src/modules/accounts/identity.js';
import { openAccount, type Account } from '../../src/modules/accounts/service.js';
import type { Principal } from '../../src/modules/auth/roles.js';
import { accountFor } from '../../src/modules/payments/service.js';
import { tx } from '../../src/platform/db/tx.js';
import { BankError } from '../../src/platform/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
let owner: string;
let other: string;

const newCustomer = async (name: string) =>
  (
    await db.pool.query<{ id: string }>(
      `insert into customers (full_name, email) values ($1, $2) returning id`,
      [name, `${randomUUID()}@example.com`],
    )
  ).rows[0]!.id;
const open = (customerId = owner): Promise<Account> =>
  tx(db.pool, (c) => openAccount(c, { customerId, type: 'SAVINGS', currency: 'USD' }));
const customer = (customerId: string): Principal => ({
  userId: randomUUID(),
  role: 'customer',
  customerId,
  sessionId: randomUUID(),
  email: 'someone@example.com',
  mfaEnabled: false,
  mfaSetupRequired: false,
});

beforeAll(async () => {
  db = await createTestDatabase();
  owner = await newCustomer('Ada Lovelace');
  other = await newCustomer('Charles Babbage');
});
afterAll(async () => {
  await db.drop();
});

describe('accountIdentity', () => {
  it('reads an account once per pool, then answers from memory', async () => {
    const a = await open();
    const queries = vi.spyOn(db.pool, 'query');
    try {
      const first = await accountIdentity(db.pool, a.id);
      const afterFirst = queries.mock.calls.length;
      const second = await accountIdentity(db.pool, a.id.toUpperCase());
      expect(afterFirst).toBeGreaterThan(0);
      expect(queries.mock.calls.length).toBe(afterFirst);
      const expected = {
        id: a.id,
        customerId: owner,
        accountNumber: a.accountNumber,
        type: 'SAVINGS',
        currency: 'USD',
      };
      expect(first).toEqual(expected);
      expect(second).toEqual(expected);
    } finally {
      queries.mockRestore();
    }
  });

  it('asks again for an id it did not find', async () => {
    const id = randomUUID();
    const queries = vi.spyOn(db.pool, 'query');
    try {
      expect(await accountIdentity(db.pool, id)).toBeUndefined();
      const afterFirst = queries.mock.calls.length;
      expect(await accountIdentity(db.pool, id)).toBeUndefined();
      expect(afterFirst).toBeGreaterThan(0);
      expect(queries.mock.calls.length).toBeGreaterThan(afterFirst);
    } finally {
      queries.mockRestore();
    }
  });

  it('does not remember an account a transaction read, which may roll back', async () => {
    let opened: string | undefined;
    await expect(
      tx(db.pool, async (c) => {
        const a = await openAccount(c, { customerId: owner, type: 'CHECKING', currency: 'USD' });
        opened = a.id;
        expect((await accountIdentity(c, a.id))?.customerId).toBe(owner);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(opened).toBeDefined();
    expect(await accountIdentity(db.pool, opened!)).toBeUndefined();
  });

  it('answers no id that is not a uuid, without a query', async () => {
    const queries = vi.spyOn(db.pool, 'query');
    try {
      expect(await accountIdentity(db.pool, "1' or '1'='1")).toBeUndefined();
      expect(queries).not.toHaveBeenCalled();
    } finally {
      queries.mockRestore();
    }
  });

  it('still refuses another customer an account the owner made it remember', async () => {
    const a = await open();
    expect((await accountFor(db.pool, customer(owner), a.id)).id).toBe(a.id);
    const refused = await accountFor(db.pool, customer(other), a.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BankError);
    expect((refused as BankError).code).toBe('NOT_FOUND');
  });
});

describe('the database keeps an identity fixed (migration 0302)', () => {
  it.each([
    ['owner', 'customer_id = $2', () => other],
    ['number', 'account_number = $2', () => '000000000000'],
    ['type', 'type = $2', () => 'CHECKING'],
    ['currency', 'currency = $2', () => 'EUR'],
    ['id', 'id = $2', () => randomUUID()],
  ])('refuses to change its %s', async (_what, set, value) => {
    const a = await open();
    await expect(db.pool.query(`update accounts set ${set} where id = $1`, [a.id, value()])).rejects.toThrow(
      /never change/,
    );
    expect((await db.pool.query('select customer_id from accounts where id = $1', [a.id])).rows).toEqual([
      { customer_id: owner },
    ]);
  });

  it('lets the rest change, and an identity column be set to what it is', async () => {
    const a = await open();
    await db.pool.query(
      `update accounts set nickname = 'Rainy day', customer_id = $2, closed_at = now() where id = $1`,
      [a.id, owner],
    );
    const { rows } = await db.pool.query(
      'select nickname, closed_at is not null as closed from accounts where id = $1',
      [a.id],
    );
    expect(rows).toEqual([{ nickname: 'Rainy day', closed: true }]);
  });

  it('refuses to delete or truncate accounts', async () => {
    const a = await open();
    await expect(db.pool.query('delete from accounts where id = $1', [a.id])).rejects.toThrow(
      /close the account/,
    );
    await expect(db.pool.query('truncate accounts cascade')).rejects.toThrow(/is not allowed/);
    expect((await db.pool.query('select 1 from accounts where id = $1', [a.id])).rowCount).toBe(1);
  });
});
