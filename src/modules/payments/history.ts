// Transaction history with filters and cursor pagination (R4.8): newest first in a stable
// (createdAt, id) order; the cursor is the position of the last row of the previous page.
import type { Queryable } from '../../platform/db/pool.js';
import { BankError } from '../../platform/errors.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { currencyExponent, listCustomerAccounts } from '../accounts/service.js';
import type { Principal } from '../auth/roles.js';
import { presentTransaction, type TransactionJson } from './present.js';
import * as repo from './repo.js';
import { accountFor, parseMoney } from './service.js';
import type { TransactionStatus, TransactionType } from './types.js';

export interface HistoryQuery {
  from?: string | undefined;
  to?: string | undefined;
  type?: TransactionType | undefined;
  status?: TransactionStatus | undefined;
  category?: string | undefined;
  tag?: string | undefined;
  minAmount?: string | undefined;
  maxAmount?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

// The position is the row's created_at to the microsecond (a millisecond ISO time would skip rows).
function positionOf(cursor: string): { createdAt: string; id: string } {
  const { key, id } = decodeCursor(cursor, 'timestamp');
  return { createdAt: key, id };
}

/** A date-only `to` means "through the end of that day". */
function upperBound(to: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(to)
    ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString()
    : to;
}

export async function listHistory(
  q: Queryable,
  principal: Principal,
  scope: { accountId?: string | undefined; customerId?: string | undefined },
  query: HistoryQuery,
): Promise<{ items: TransactionJson[]; nextCursor: string | null }> {
  let accountIds: string[];
  let currency: string | undefined;
  if (scope.accountId) {
    const account = await accountFor(q, principal, scope.accountId);
    accountIds = [account.id];
    currency = account.currency;
  } else {
    const customerId = principal.role === 'customer' ? principal.customerId : scope.customerId;
    if (!customerId) throw new BankError('INVALID_REQUEST', 'Staff must give accountId or customerId');
    accountIds = (await listCustomerAccounts(q, customerId)).map((a) => a.id);
  }
  if ((query.minAmount !== undefined || query.maxAmount !== undefined) && !currency) {
    throw new BankError('INVALID_REQUEST', 'minAmount and maxAmount need a single account (accountId)');
  }
  if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) {
    throw new BankError('INVALID_REQUEST', '"from" is after "to"');
  }
  const bound = async (v: string | undefined, path: string) =>
    v === undefined || !currency ? undefined : parseMoney(q, v, currency, path);
  const rows =
    accountIds.length === 0
      ? []
      : await repo.selectHistory(q, {
          accountIds,
          from: query.from,
          to: query.to && upperBound(query.to),
          type: query.type,
          status: query.status,
          category: query.category,
          tag: query.tag,
          minAmount: await bound(query.minAmount, 'query.minAmount'),
          maxAmount: await bound(query.maxAmount, 'query.maxAmount'),
          before: query.cursor ? positionOf(query.cursor) : undefined,
          limit: query.limit + 1,
        });
  const page = rows.slice(0, query.limit);
  const items = await Promise.all(
    page.map(async ({ transaction: t }) =>
      presentTransaction(t, (await currencyExponent(q, t.currency)) ?? 2),
    ),
  );
  const last = page[page.length - 1];
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.position, last.transaction.id) : null,
  };
}
