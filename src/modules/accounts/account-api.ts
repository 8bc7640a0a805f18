// The rules of the account API (R3 over HTTP), on top of the accounts service: who may see or
// change which account (a customer only their own: anything else is 404), the audit row in the
// same transaction as each change, and the reply shape (money as decimal strings, numbers
// masked in lists).
import type { AppContext } from '../../context.js';
import type { Queryable } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import { BankError } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';
import { recordAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/types.js';
import type { Principal } from '../auth/roles.js';
import {
  closeAccount,
  currencyExponent,
  freezeAccount,
  getAccount,
  listCustomerAccounts,
  maskAccountNumber,
  openAccount,
  unfreezeAccount,
  type Account,
  type AccountType,
} from './service.js';

export interface AccountView {
  id: string;
  customerId: string;
  accountNumber: string;
  type: AccountType;
  currency: string;
  status: Account['status'];
  balance: string;
  availableBalance: string;
  pendingCredits: string;
  overdraftLimit: string;
  interestRate: string;
  nickname: string | null;
  openedAt: string;
  closedAt: string | null;
}

async function exponentOf(q: Queryable, currency: string): Promise<number> {
  const e = await currencyExponent(q, currency);
  if (e === undefined) throw new Error(`currency ${currency} has no exponent`);
  return e;
}

export async function toView(q: Queryable, a: Account, opts: { mask?: boolean } = {}): Promise<AccountView> {
  const e = await exponentOf(q, a.currency);
  return {
    id: a.id,
    customerId: a.customerId,
    accountNumber: opts.mask ? maskAccountNumber(a.accountNumber) : a.accountNumber,
    type: a.type,
    currency: a.currency,
    status: a.status,
    balance: formatAmount(a.balance, e),
    availableBalance: formatAmount(a.availableBalance, e),
    pendingCredits: formatAmount(a.pendingCredits, e),
    overdraftLimit: formatAmount(a.overdraftLimit, e),
    interestRate: a.interestRate,
    nickname: a.nickname,
    openedAt: a.openedAt,
    closedAt: a.closedAt,
  };
}

/** What the audit trail keeps of an account. */
const auditView = (a: Account) => ({
  status: a.status,
  type: a.type,
  currency: a.currency,
  customerId: a.customerId,
  accountNumber: maskAccountNumber(a.accountNumber),
  balance: a.balance,
  closedAt: a.closedAt,
});

const notFound = () => new BankError('NOT_FOUND', 'No such account');

/** The account if the principal may see it: staff any, a customer only their own. */
export async function visibleAccount(q: Queryable, principal: Principal, id: string): Promise<Account> {
  const account = await getAccount(q, id);
  if (!account) throw notFound();
  if (principal.role === 'customer' && account.customerId !== principal.customerId) throw notFound();
  return account;
}

/** The customer a request acts for: a customer always themselves; staff must name one. */
function targetCustomer(principal: Principal, customerId: string | undefined, path: string): string {
  if (principal.role === 'customer') {
    if (!principal.customerId) throw new BankError('NOT_FOUND', 'No such customer');
    if (customerId !== undefined && customerId !== principal.customerId) {
      throw new BankError('NOT_FOUND', 'No such customer');
    }
    return principal.customerId;
  }
  if (customerId === undefined) {
    throw new BankError('INVALID_REQUEST', 'Staff must say which customer', {
      errors: [{ path, message: 'is required for staff' }],
    });
  }
  return customerId;
}

export interface OpenRequest {
  type: AccountType;
  currency: string;
  nickname?: string | undefined;
  customerId?: string | undefined;
}

export async function openAccountFor(
  ctx: AppContext,
  principal: Principal,
  input: OpenRequest,
  actor: AuditActor,
): Promise<AccountView> {
  const customerId = targetCustomer(principal, input.customerId, 'body.customerId');
  return tx(ctx.pool, async (client) => {
    const account = await openAccount(client, {
      customerId,
      type: input.type,
      currency: input.currency,
      ...(input.nickname !== undefined ? { nickname: input.nickname } : {}),
    });
    await recordAudit(client, {
      actor,
      entityType: 'account',
      entityId: account.id,
      action: 'account.opened',
      after: auditView(account),
    });
    return toView(client, account);
  });
}

export async function listAccountsFor(
  ctx: AppContext,
  principal: Principal,
  customerId: string | undefined,
): Promise<{ items: AccountView[]; nextCursor: null }> {
  const target = targetCustomer(principal, customerId, 'querystring.customerId');
  const accounts = await listCustomerAccounts(ctx.pool, target);
  return {
    items: await Promise.all(accounts.map((a) => toView(ctx.pool, a, { mask: true }))),
    nextCursor: null,
  };
}

export async function getAccountFor(ctx: AppContext, principal: Principal, id: string): Promise<AccountView> {
  return toView(ctx.pool, await visibleAccount(ctx.pool, principal, id));
}

export async function balanceFor(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<
  Pick<
    AccountView,
    'currency' | 'balance' | 'availableBalance' | 'pendingCredits' | 'overdraftLimit' | 'status'
  > & {
    accountId: string;
    asOf: string;
  }
> {
  const v = await toView(ctx.pool, await visibleAccount(ctx.pool, principal, id));
  return {
    accountId: v.id,
    currency: v.currency,
    balance: v.balance,
    availableBalance: v.availableBalance,
    pendingCredits: v.pendingCredits,
    overdraftLimit: v.overdraftLimit,
    status: v.status,
    asOf: new Date().toISOString(),
  };
}

const changes = {
  freeze: { run: freezeAccount, action: 'account.frozen' },
  unfreeze: { run: unfreezeAccount, action: 'account.unfrozen' },
  close: { run: closeAccount, action: 'account.closed' },
} as const;

/** Freeze, unfreeze (staff) or close (owner or staff), audited in the same transaction. */
export async function changeAccountStatus(
  ctx: AppContext,
  principal: Principal,
  id: string,
  change: keyof typeof changes,
  reason: string | undefined,
  actor: AuditActor,
): Promise<AccountView> {
  return tx(ctx.pool, async (client) => {
    const before = await visibleAccount(client, principal, id);
    const after = await changes[change].run(client, id);
    await recordAudit(client, {
      actor,
      entityType: 'account',
      entityId: id,
      action: changes[change].action,
      before: auditView(before),
      after: { ...auditView(after), ...(reason ? { reason } : {}) },
    });
    return toView(client, after);
  });
}
