// /api/v1/reports: account, transaction and system (admin) reports, each stored as a saved
// report when generated, and the caller's saved reports listed and fetched again. Who may call
// each route is in the policy table; whose data, in the service (another customer's is 404).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { visibleAccount } from '../accounts/account-api.js';
import { actorFrom, requirePrincipal } from '../auth/access.js';
import { periodQuery } from '../statements/routes.js';
import {
  buildAccountReport,
  buildSystemReport,
  buildTransactionReport,
  getSavedReport,
  listSavedReports,
  reportPeriod,
  saveReport,
  transactionReportScope,
} from './service.js';

const kinds = ['account', 'transactions', 'system'] as const;
const money = z.string().describe('Decimal string in the currency, e.g. "1234.50"');
const period = z.object({ from: z.string(), to: z.string() });

function envelope<T extends z.ZodType>(kind: (typeof kinds)[number] | null, result: T) {
  return z.object({
    id: z.uuid().describe('Saved report id: GET /api/v1/reports/{id} returns it again'),
    kind: kind === null ? z.enum(kinds) : z.literal(kind),
    parameters: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    result,
  });
}

const accountReport = z.object({
  account: z.object({ id: z.uuid(), accountNumber: z.string(), type: z.string(), currency: z.string() }),
  period,
  balanceTrend: z
    .array(z.object({ date: z.string(), balance: money }))
    .describe('Closing balance of each day'),
  incomeVsExpense: z.array(
    z.object({ month: z.string(), income: money, expense: money, net: money, entries: z.number().int() }),
  ),
  totals: z.object({ income: money, expense: money, net: money }),
  spendingByCategory: z.array(
    z.object({ category: z.string(), amount: money, count: z.number().int(), percent: z.string() }),
  ),
});

const stats = {
  currency: z.string(),
  count: z.number().int(),
  sum: money,
  average: money.describe('Rounded half-even to the minor unit'),
  largest: money,
};

const transactionReport = z.object({
  customerId: z.uuid(),
  accountIds: z.array(z.uuid()),
  period,
  summary: z.array(z.object(stats)),
  byType: z.array(z.object({ type: z.string(), ...stats })),
  byCategory: z.array(z.object({ category: z.string(), ...stats })),
  byStatus: z.array(z.object({ status: z.string(), count: z.number().int() })),
});

const count = z.number().int();
const systemReport = z.object({
  generatedAt: z.string(),
  period,
  users: z.object({
    total: count,
    byRole: z.array(z.object({ role: z.string(), count })),
    byRoleAndStatus: z.array(z.object({ role: z.string(), status: z.string(), count })),
  }),
  accounts: z.object({
    total: count,
    byType: z.array(z.object({ type: z.string(), count, percent: z.string() })),
    byStatus: z.array(z.object({ status: z.string(), count })),
    distribution: z.array(z.object({ type: z.string(), status: z.string(), currency: z.string(), count })),
  }),
  balances: z.array(
    z.object({
      currency: z.string(),
      accounts: count,
      totalBalance: money,
      ledgerCustomerBalance: money,
      ledgerBankBalance: money,
      matchesLedger: z.boolean(),
      ledgerBalanced: z.boolean(),
    }),
  ),
  transactionVolumes: z.array(
    z.object({ date: z.string(), type: z.string(), currency: z.string(), count, sum: money }),
  ),
  fraudAlerts: z.object({
    available: z.boolean(),
    total: count,
    byStatus: z.array(z.object({ status: z.string(), count })),
  }),
});

export function registerReportRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['reports'];
  const security = [{ bearerAuth: [] }];

  r.get(
    '/api/v1/reports/accounts/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Account report: daily balance trend, income versus expense per month, spending by category',
        description: 'Generates and saves the report. Default period: the last 30 days.',
        params: z.strictObject({ id: z.uuid() }),
        querystring: z.strictObject(periodQuery),
        response: { 200: envelope('account', accountReport) },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const p = reportPeriod(ctx, request.query);
      const account = await visibleAccount(ctx.pool, principal, request.params.id);
      const result = await buildAccountReport(ctx.pool, account, p);
      return saveReport(
        ctx.pool,
        principal,
        'account',
        { accountId: account.id, from: p.from, to: p.to },
        result,
        actorFrom(request),
      );
    },
  );

  r.get(
    '/api/v1/reports/transactions',
    {
      schema: {
        tags,
        security,
        summary:
          "Transaction report: a customer's transactions by type and category (count, sum, average, largest)",
        description:
          'Customers: their own transactions (optionally one accountId). Staff: customerId or accountId is required. ' +
          'Generates and saves the report. Default period: the last 30 days.',
        querystring: z.strictObject({
          ...periodQuery,
          accountId: z.uuid().optional(),
          customerId: z.uuid().optional().describe('Staff: whose transactions'),
        }),
        response: { 200: envelope('transactions', transactionReport) },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const p = reportPeriod(ctx, request.query);
      const scope = await transactionReportScope(ctx.pool, principal, request.query);
      const result = await buildTransactionReport(ctx.pool, scope.customerId, scope.accountIds, p);
      const parameters = {
        customerId: scope.customerId,
        ...(request.query.accountId ? { accountId: request.query.accountId } : {}),
        from: p.from,
        to: p.to,
      };
      return saveReport(ctx.pool, principal, 'transactions', parameters, result, actorFrom(request));
    },
  );

  r.get(
    '/api/v1/reports/system',
    {
      schema: {
        tags,
        security,
        summary:
          'System report (admin): users, account types, balances per currency, daily volumes, fraud alerts',
        description: 'Generates and saves the report. Volumes cover the period (default: the last 30 days).',
        querystring: z.strictObject(periodQuery),
        response: { 200: envelope('system', systemReport) },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const p = reportPeriod(ctx, request.query);
      const result = await buildSystemReport(ctx.pool, p);
      return saveReport(
        ctx.pool,
        principal,
        'system',
        { from: p.from, to: p.to },
        result,
        actorFrom(request),
      );
    },
  );

  r.get(
    '/api/v1/reports',
    {
      schema: {
        tags,
        security,
        summary: 'Your saved reports, newest first (without results)',
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(200).optional(),
          kind: z.enum(kinds).optional(),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.uuid(),
                kind: z.enum(kinds),
                parameters: z.record(z.string(), z.unknown()),
                createdAt: z.string(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => listSavedReports(ctx.pool, requirePrincipal(request), request.query),
  );

  r.get(
    '/api/v1/reports/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One of your saved reports, with its parameters and result',
        params: z.strictObject({ id: z.uuid() }),
        response: { 200: envelope(null, z.record(z.string(), z.unknown())) },
      },
    },
    async (request) => getSavedReport(ctx.pool, requirePrincipal(request), request.params.id),
  );
}
