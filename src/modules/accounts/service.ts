// Bank accounts (R3): open, read, freeze, unfreeze, close. Each account is a ledger account
// (deposit-style: its debits may not exceed its credits plus the overdraft or credit limit);
// status and balances live on that ledger row, so a movement and a status change serialise on
// the same row lock. Functions taking a PoolClient run inside the caller's transaction, so the
// caller can write its audit row in the same commit.
import { BankError } from '../../platform/errors.js';
import { coalescePerPool } from '../../platform/db/coalesce.js';
import { isPool, type PoolClient, type Queryable } from '../../platform/db/pool.js';
import { createLedgerAccounts, setLedgerAccountStatus } from '../ledger/service.js';
import { generateAccountNumber, isValidAccountNumber, maskAccountNumber } from './number.js';
import * as repo from './repo.js';
import { isUuid } from '../../platform/ids.js';

export { isValidAccountNumber, maskAccountNumber };

export const accountTypes = ['CHECKING', 'SAVINGS', 'CREDIT', 'INVESTMENT'] as const;
export type AccountType = (typeof accountTypes)[number];
export type AccountStatus = 'ACTIVE' | 'FROZEN' | 'CLOSED';

export interface Account {
  id: string;
  customerId: string;
  accountNumber: string;
  type: AccountType;
  currency: string;
  status: AccountStatus;
  /** Posted balance: credits - debits, in minor units. */
  balance: bigint;
  /** What can be spent now: balance - holds + overdraft (or credit) limit. */
  availableBalance: bigint;
  /** Money on its way in, held until it settles. */
  pendingCredits: bigint;
  overdraftLimit: bigint;
  /** Annual percent, as a decimal string ("1.5000"). */
  interestRate: string;
  nickname: string | null;
  openedAt: string;
  closedAt: string | null;
}

/** What each type is by default. A CREDIT account is a credit line: its limit is the overdraft. */
export const accountTypeDefaults: Record<AccountType, { interestRate: string; overdraftLimit: bigint }> = {
  CHECKING: { interestRate: '0', overdraftLimit: 0n },
  SAVINGS: { interestRate: '1.5', overdraftLimit: 0n },
  CREDIT: { interestRate: '19.99', overdraftLimit: 100_000n },
  INVESTMENT: { interestRate: '0', overdraftLimit: 0n },
};

export function toAccount(r: repo.AccountRow): Account {
  const balance = r.credits_posted - r.debits_posted;
  return {
    id: r.id,
    customerId: r.customer_id,
    accountNumber: r.account_number,
    type: r.type as AccountType,
    currency: r.currency,
    status: r.status,
    balance,
    availableBalance: balance - r.debits_pending + r.overdraft_limit,
    pendingCredits: r.credits_pending,
    overdraftLimit: r.overdraft_limit,
    interestRate: r.interest_rate,
    nickname: r.nickname,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
  };
}

const exponents = new Map<string, number>();

/** The currency's number of minor digits, or undefined for a currency corebank does not know. */
export async function currencyExponent(q: Queryable, code: string): Promise<number | undefined> {
  const cached = exponents.get(code);
  if (cached !== undefined) return cached;
  const exponent = await repo.selectCurrencyExponent(q, code);
  if (exponent !== undefined) exponents.set(code, exponent); // reference data: never changes
  return exponent;
}

export interface OpenAccountInput {
  customerId: string;
  type: AccountType;
  currency: string;
  nickname?: string;
  overdraftLimit?: bigint;
  interestRate?: string;
}

export async function openAccount(client: PoolClient, input: OpenAccountInput): Promise<Account> {
  if ((await currencyExponent(client, input.currency)) === undefined) {
    throw new BankError('INVALID_REQUEST', `Unknown currency ${input.currency}`, {
      errors: [{ path: 'body.currency', message: 'is not a supported currency' }],
    });
  }
  const defaults = accountTypeDefaults[input.type];
  const overdraftLimit = input.overdraftLimit ?? defaults.overdraftLimit;
  if (overdraftLimit < 0n) throw new BankError('INVALID_AMOUNT', 'The overdraft limit must not be negative');
  const [ledger] = await createLedgerAccounts(client, [
    {
      currency: input.currency,
      kind: 'liability',
      purpose: 'CUSTOMER',
      debitsMustNotExceedCredits: true,
      overdraftLimit,
    },
  ]);
  if (!ledger) throw new Error('ledger account was not created');
  // A clash of random 12-digit numbers is rare; a savepoint lets us retry without losing the tx.
  for (let attempt = 1; ; attempt++) {
    await client.query('savepoint account_number');
    try {
      await repo.insertAccount(client, {
        id: ledger.id,
        customerId: input.customerId,
        accountNumber: generateAccountNumber(),
        type: input.type,
        currency: input.currency,
        interestRate: input.interestRate ?? defaults.interestRate,
        nickname: input.nickname ?? null,
      });
      await client.query('release savepoint account_number');
      break;
    } catch (err) {
      await client.query('rollback to savepoint account_number');
      const e = err as { code?: string; constraint?: string };
      if (attempt < 5 && e.code === '23505' && e.constraint === 'accounts_account_number_key') continue;
      if (e.code === '23503') throw new BankError('NOT_FOUND', 'No such customer');
      throw err;
    }
  }
  return (await getAccount(client, ledger.id)) as Account;
}

// Reads through the pool (outside any transaction) are coalesced: the account lookups of one
// event-loop turn — two per transfer under load — share one query.
const accountById = coalescePerPool(repo.selectByIds);

export async function getAccount(q: Queryable, id: string): Promise<Account | undefined> {
  if (!isUuid(id)) return undefined; // no such id can exist
  const row = isPool(q) ? await accountById(q, id.toLowerCase()) : await repo.selectById(q, id);
  return row && toAccount(row);
}

export async function findAccountByNumber(q: Queryable, accountNumber: string): Promise<Account | undefined> {
  if (!isValidAccountNumber(accountNumber)) {
    throw new BankError('INVALID_ACCOUNT_NUMBER', 'The account number is not valid (check digit)');
  }
  const row = await repo.selectByNumber(q, accountNumber);
  return row && toAccount(row);
}

export async function listCustomerAccounts(q: Queryable, customerId: string): Promise<Account[]> {
  return (await repo.selectByCustomer(q, customerId)).map(toAccount);
}

async function lockForChange(client: PoolClient, id: string): Promise<repo.AccountRow> {
  const row = await repo.selectById(client, id, { forUpdate: true });
  if (!row) throw new BankError('NOT_FOUND', 'No such account');
  return row;
}

export async function freezeAccount(client: PoolClient, id: string): Promise<Account> {
  const row = await lockForChange(client, id);
  if (row.status !== 'ACTIVE')
    throw new BankError('CONFLICT', `The account is ${row.status.toLowerCase()}, not active`);
  await setLedgerAccountStatus(client, id, 'FROZEN');
  return (await getAccount(client, id)) as Account;
}

export async function unfreezeAccount(client: PoolClient, id: string): Promise<Account> {
  const row = await lockForChange(client, id);
  if (row.status !== 'FROZEN')
    throw new BankError('CONFLICT', `The account is ${row.status.toLowerCase()}, not frozen`);
  await setLedgerAccountStatus(client, id, 'ACTIVE');
  return (await getAccount(client, id)) as Account;
}

export async function closeAccount(client: PoolClient, id: string): Promise<Account> {
  const row = await lockForChange(client, id);
  if (row.status === 'CLOSED') throw new BankError('CONFLICT', 'The account is already closed');
  if (row.status === 'FROZEN')
    throw new BankError('ACCOUNT_FROZEN', 'A frozen account must be unfrozen before it is closed');
  if (row.debits_posted !== row.credits_posted || row.debits_pending !== 0n || row.credits_pending !== 0n) {
    throw new BankError(
      'ACCOUNT_NOT_EMPTY',
      'Only an account with a zero balance and no holds can be closed',
    );
  }
  await setLedgerAccountStatus(client, id, 'CLOSED');
  await repo.markClosed(client, id);
  return (await getAccount(client, id)) as Account;
}
