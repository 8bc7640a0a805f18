// Reports (R7.2–R7.4): the account report (balance trend, income versus expense, spending by
// category), the transaction report (by type and category: count, sum, average, largest), the
// system report (admin: users, account types, balances per currency checked against the
// ledger, daily volumes, fraud alerts) and saved reports. Generating a report stores its
// parameters and result (and an audit row) in one transaction; its owner can list it and
// fetch it again, nobody else can (404).
import type { AppContext } from '../../context.js';
import type { Pool, Queryable } from '../../platform/db/pool.js';
import { tx } from '../../platform/db/tx.js';
import { BankError } from '../../platform/errors.js';
import { formatAmount } from '../../platform/money.js';
import { visibleAccount } from '../accounts/account-api.js';
import {
  currencyExponent,
  listCustomerAccounts,
  maskAccountNumber,
  type Account,
} from '../accounts/service.js';
import { recordAudit } from '../audit/service.js';
import type { AuditActor } from '../audit/types.js';
import type { Principal } from '../auth/roles.js';
import { getCustomer } from '../customers/service.js';
import {
  dayOf,
  MICROS_PER_DAY,
  microsToIso,
  resolvePeriod,
  startOfDay,
  type Period,
  type PeriodInput,
} from '../statements/period.js';
import * as repo from './repo.js';
import { divRoundHalfEven, percentOf } from './stats.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';

export type ReportKind = repo.ReportKind;

/** Reports look back this many days when `from` is not given. */
export const DEFAULT_REPORT_DAYS = 30;

async function exponentOf(q: Queryable, currency: string): Promise<number> {
  const e = await currencyExponent(q, currency);
  if (e === undefined) throw new Error(`currency ${currency} has no exponent`);
  return e;
}

/** Formats amounts of several currencies, looking each exponent up once. */
async function moneyFormatter(
  q: Queryable,
  currencies: Iterable<string>,
): Promise<(v: bigint, c: string) => string> {
  const exps = new Map<string, number>();
  for (const c of currencies) if (!exps.has(c)) exps.set(c, await exponentOf(q, c));
  return (v, c) => formatAmount(v, exps.get(c) ?? 0);
}

export function reportPeriod(ctx: AppContext, input: PeriodInput): Period {
  return resolvePeriod(input, { maxDays: ctx.config.STATEMENT_MAX_DAYS, defaultFrom: DEFAULT_REPORT_DAYS });
}

const periodView = (p: Period) => ({ from: p.from, to: p.to });

// ---- account report ----------------------------------------------------------------------

export interface AccountReport {
  account: { id: string; accountNumber: string; type: string; currency: string };
  period: { from: string; to: string };
  /** The balance at the end of each UTC day of the period (the last day: at `to`). */
  balanceTrend: { date: string; balance: string }[];
  incomeVsExpense: { month: string; income: string; expense: string; net: string; entries: number }[];
  totals: { income: string; expense: string; net: string };
  spendingByCategory: { category: string; amount: string; count: number; percent: string }[];
}

/** The last instant of each UTC day of the period, the last one cut at `to`. */
export function dayEnds(period: Period): { day: string; at: string }[] {
  const out: { day: string; at: string }[] = [];
  for (let d = startOfDay(period.fromMicros); d <= period.toMicros; d += MICROS_PER_DAY) {
    const end = d + MICROS_PER_DAY - 1n;
    out.push({ day: dayOf(d), at: microsToIso(end < period.toMicros ? end : period.toMicros) });
  }
  return out;
}

export async function buildAccountReport(
  pool: Pool,
  account: Account,
  period: Period,
): Promise<AccountReport> {
  const exponent = await exponentOf(pool, account.currency);
  const f = (v: bigint) => formatAmount(v, exponent);
  const ends = dayEnds(period);
  const { balances, flows, spending } = await tx(
    pool,
    async (client) => {
      await client.query('set transaction read only');
      return {
        balances: await repo.selectBalancesAt(
          client,
          account.id,
          ends.map((e) => e.at),
        ),
        flows: await repo.selectMonthlyFlows(client, account.id, period.from, period.to),
        spending: await repo.selectSpendingByCategory(client, account.id, period.from, period.to),
      };
    },
    { isolation: 'REPEATABLE READ' },
  );
  const income = flows.reduce((s, m) => s + m.income, 0n);
  const expense = flows.reduce((s, m) => s + m.expense, 0n);
  const spent = spending.reduce((s, c) => s + c.amount, 0n);
  return {
    account: {
      id: account.id,
      accountNumber: maskAccountNumber(account.accountNumber),
      type: account.type,
      currency: account.currency,
    },
    period: periodView(period),
    balanceTrend: ends.map((e, i) => ({ date: e.day, balance: f(balances[i] ?? 0n) })),
    incomeVsExpense: flows.map((m) => ({
      month: m.month,
      income: f(m.income),
      expense: f(m.expense),
      net: f(m.income - m.expense),
      entries: m.entries,
    })),
    totals: { income: f(income), expense: f(expense), net: f(income - expense) },
    spendingByCategory: spending.map((c) => ({
      category: c.category,
      amount: f(c.amount),
      count: c.count,
      percent: percentOf(c.amount, spent),
    })),
  };
}

// ---- transaction report ------------------------------------------------------------------

export interface Stats {
  currency: string;
  count: number;
  sum: string;
  /** sum / count rounded half-even to the currency's minor unit. */
  average: string;
  largest: string;
}

export interface TransactionReport {
  customerId: string;
  accountIds: string[];
  period: { from: string; to: string };
  /** Over transactions that moved money (COMPLETED, or since REVERSED), per currency. */
  summary: Stats[];
  byType: (Stats & { type: string })[];
  byCategory: (Stats & { category: string })[];
  /** Every transaction in the period, whatever its status. */
  byStatus: { status: string; count: number }[];
}

export async function buildTransactionReport(
  pool: Pool,
  customerId: string,
  accountIds: string[],
  period: Period,
): Promise<TransactionReport> {
  const { groups, statuses } = await tx(
    pool,
    async (client) => {
      await client.query('set transaction read only');
      return {
        groups: await repo.selectTransactionStats(client, accountIds, period.from, period.to),
        statuses: await repo.selectTransactionStatusCounts(client, accountIds, period.from, period.to),
      };
    },
    { isolation: 'REPEATABLE READ' },
  );
  const money = await moneyFormatter(
    pool,
    groups.map((g) => g.currency),
  );
  const stats = (g: repo.GroupStats): Stats => ({
    currency: g.currency,
    count: g.count,
    sum: money(g.sum, g.currency),
    average: money(divRoundHalfEven(g.sum, BigInt(g.count)), g.currency),
    largest: money(g.largest, g.currency),
  });
  return {
    customerId,
    accountIds,
    period: periodView(period),
    summary: groups.filter((g) => g.type === null && g.category === null).map(stats),
    byType: groups.filter((g) => g.type !== null).map((g) => ({ type: g.type!, ...stats(g) })),
    byCategory: groups
      .filter((g) => g.category !== null)
      .map((g) => ({ category: g.category!, ...stats(g) })),
    byStatus: statuses,
  };
}

/**
 * Whose transactions a caller may report on: a customer their own (all their accounts, or one
 * of them); staff must name a customer or an account. Someone else's is 404.
 */
export async function transactionReportScope(
  pool: Pool,
  principal: Principal,
  query: { accountId?: string | undefined; customerId?: string | undefined },
): Promise<{ customerId: string; accountIds: string[] }> {
  if (query.accountId !== undefined) {
    const account = await visibleAccount(pool, principal, query.accountId);
    if (query.customerId !== undefined && query.customerId !== account.customerId) {
      throw new BankError('NOT_FOUND', 'No such account');
    }
    return { customerId: account.customerId, accountIds: [account.id] };
  }
  let customerId: string;
  if (principal.role === 'customer') {
    if (
      !principal.customerId ||
      (query.customerId !== undefined && query.customerId !== principal.customerId)
    ) {
      throw new BankError('NOT_FOUND', 'No such customer');
    }
    customerId = principal.customerId;
  } else {
    if (query.customerId === undefined) {
      throw new BankError('INVALID_REQUEST', 'Staff must say whose transactions: customerId or accountId', {
        errors: [{ path: 'querystring.customerId', message: 'is required for staff (or accountId)' }],
      });
    }
    if (!(await getCustomer(pool, query.customerId))) throw new BankError('NOT_FOUND', 'No such customer');
    customerId = query.customerId;
  }
  const accounts = await listCustomerAccounts(pool, customerId);
  return { customerId, accountIds: accounts.map((a) => a.id) };
}

// ---- system report -----------------------------------------------------------------------

export interface SystemReport {
  generatedAt: string;
  period: { from: string; to: string };
  users: {
    total: number;
    byRole: { role: string; count: number }[];
    byRoleAndStatus: { role: string; status: string; count: number }[];
  };
  accounts: {
    total: number;
    byType: { type: string; count: number; percent: string }[];
    byStatus: { status: string; count: number }[];
    distribution: { type: string; status: string; currency: string; count: number }[];
  };
  /**
   * Per currency: the customer accounts' total balance, and the ledger's own sums beside it —
   * matchesLedger says the product view equals the ledger's customer accounts, ledgerBalanced
   * that customers' and the bank's accounts net to zero.
   */
  balances: {
    currency: string;
    accounts: number;
    totalBalance: string;
    ledgerCustomerBalance: string;
    ledgerBankBalance: string;
    matchesLedger: boolean;
    ledgerBalanced: boolean;
  }[];
  /** Transactions that moved money, per UTC day, type and currency. */
  transactionVolumes: { date: string; type: string; currency: string; count: number; sum: string }[];
  fraudAlerts: { available: boolean; total: number; byStatus: { status: string; count: number }[] };
}

function tally<T>(
  rows: T[],
  key: (r: T) => string,
  count: (r: T) => number,
): { key: string; count: number }[] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + count(r));
  return [...m].map(([k, c]) => ({ key: k, count: c })).sort((a, b) => a.key.localeCompare(b.key));
}

export async function buildSystemReport(pool: Pool, period: Period): Promise<SystemReport> {
  const read = await tx(
    pool,
    async (client) => {
      await client.query('set transaction read only');
      return {
        users: await repo.selectUsersByRoleAndStatus(client),
        accounts: await repo.selectAccountDistribution(client),
        totals: await repo.selectCurrencyTotals(client),
        volumes: await repo.selectDailyVolumes(client, period.from, period.to),
        fraud: await repo.selectFraudAlertCounts(client),
      };
    },
    { isolation: 'REPEATABLE READ' },
  );
  const money = await moneyFormatter(pool, [
    ...read.totals.map((t) => t.currency),
    ...read.volumes.map((v) => v.currency),
  ]);
  const accountTotal = read.accounts.reduce((s, a) => s + a.count, 0);
  return {
    generatedAt: new Date().toISOString(),
    period: periodView(period),
    users: {
      total: read.users.reduce((s, u) => s + u.count, 0),
      byRole: tally(
        read.users,
        (u) => u.role,
        (u) => u.count,
      ).map((t) => ({ role: t.key, count: t.count })),
      byRoleAndStatus: read.users,
    },
    accounts: {
      total: accountTotal,
      byType: tally(
        read.accounts,
        (a) => a.type,
        (a) => a.count,
      ).map((t) => ({
        type: t.key,
        count: t.count,
        percent: percentOf(BigInt(t.count), BigInt(accountTotal)),
      })),
      byStatus: tally(
        read.accounts,
        (a) => a.status,
        (a) => a.count,
      ).map((t) => ({ status: t.key, count: t.count })),
      distribution: read.accounts,
    },
    balances: read.totals.map((t) => ({
      currency: t.currency,
      accounts: t.accounts,
      totalBalance: money(t.balance, t.currency),
      ledgerCustomerBalance: money(t.ledgerCustomerBalance, t.currency),
      ledgerBankBalance: money(t.ledgerBankBalance, t.currency),
      matchesLedger: t.balance === t.ledgerCustomerBalance,
      ledgerBalanced: t.ledgerCustomerBalance + t.ledgerBankBalance === 0n,
    })),
    transactionVolumes: read.volumes.map((v) => ({
      date: v.day,
      type: v.type,
      currency: v.currency,
      count: v.count,
      sum: money(v.sum, v.currency),
    })),
    fraudAlerts: {
      available: read.fraud !== null,
      total: (read.fraud ?? []).reduce((s, f) => s + f.count, 0),
      byStatus: read.fraud ?? [],
    },
  };
}

// ---- saved reports -----------------------------------------------------------------------

export interface SavedReport<R = Record<string, unknown>> {
  id: string;
  kind: ReportKind;
  parameters: Record<string, unknown>;
  createdAt: string;
  result: R;
}

export type SavedReportSummary = Omit<SavedReport, 'result'>;

/** Stores a generated report for its owner, with an audit row, in one transaction. */
export async function saveReport<R>(
  pool: Pool,
  principal: Principal,
  kind: ReportKind,
  parameters: Record<string, unknown>,
  result: R,
  actor: AuditActor,
): Promise<SavedReport<R>> {
  return tx(pool, async (client) => {
    const row = await repo.insertSavedReport(client, {
      kind,
      ownerUserId: principal.userId,
      parameters,
      result,
    });
    await recordAudit(client, {
      actor,
      entityType: 'report',
      entityId: row.id,
      action: 'report.generated',
      after: { kind, parameters },
    });
    return { id: row.id, kind, parameters, createdAt: row.created_at, result };
  });
}

export async function getSavedReport(pool: Pool, principal: Principal, id: string): Promise<SavedReport> {
  const row = await repo.selectSavedReport(pool, principal.userId, id);
  if (!row) throw new BankError('NOT_FOUND', 'No such report');
  return {
    id: row.id,
    kind: row.kind,
    parameters: row.parameters,
    createdAt: row.created_at,
    result: row.result ?? {},
  };
}

/** The caller's saved reports, newest first (without their results). */
export async function listSavedReports(
  pool: Pool,
  principal: Principal,
  query: { limit: number; cursor?: string | undefined; kind?: ReportKind | undefined },
): Promise<{ items: SavedReportSummary[]; nextCursor: string | null }> {
  const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 'timestamp');
  const before = position && { at: position.key, id: position.id };
  const rows = await repo.selectSavedReports(pool, principal.userId, {
    limit: query.limit + 1,
    kind: query.kind,
    before,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r) => ({ id: r.id, kind: r.kind, parameters: r.parameters, createdAt: r.created_at })),
    nextCursor:
      rows.length > query.limit && page.length > 0
        ? encodeCursor(page[page.length - 1]!.cursor_at, page[page.length - 1]!.id)
        : null,
  };
}
