// /api/v1/accounts: open, list (numbers masked), get, balance, freeze and unfreeze (staff),
// close. Who may call each route is in the policy table; which account, in account-api.ts.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { actorFrom, requirePrincipal } from '../auth/access.js';
import {
  balanceFor,
  changeAccountStatus,
  getAccountFor,
  listAccountsFor,
  openAccountFor,
} from './account-api.js';
import { accountTypes } from './service.js';

const money = z.string().describe('Decimal string in the account currency, e.g. "1234.50"');

const accountSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  accountNumber: z.string().describe('Full number; masked (****1234) in lists'),
  type: z.enum(accountTypes),
  currency: z.string(),
  status: z.enum(['ACTIVE', 'FROZEN', 'CLOSED']),
  balance: money,
  availableBalance: money,
  pendingCredits: money,
  overdraftLimit: money,
  interestRate: z.string().describe('Annual percent'),
  nickname: z.string().nullable(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
});

const balanceSchema = z.object({
  accountId: z.uuid(),
  currency: z.string(),
  status: z.enum(['ACTIVE', 'FROZEN', 'CLOSED']),
  balance: money,
  availableBalance: money,
  pendingCredits: money,
  overdraftLimit: money,
  asOf: z.string(),
});

const openBody = z.strictObject({
  type: z.enum(accountTypes),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  nickname: z.string().trim().min(1).max(60).optional(),
  customerId: z.uuid().optional().describe('Staff only: the customer the account is for'),
});

const idParams = z.strictObject({ id: z.uuid() });
const statusBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).nullish();

export function registerAccountRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['accounts'];
  const security = [{ bearerAuth: [] }];

  r.post(
    '/api/v1/accounts',
    {
      schema: {
        tags,
        security,
        summary: 'Open an account (customers for themselves; staff pass customerId)',
        body: openBody,
        response: { 201: accountSchema },
      },
    },
    async (request, reply) => {
      const account = await openAccountFor(ctx, requirePrincipal(request), request.body, actorFrom(request));
      return reply.code(201).send(account);
    },
  );

  r.get(
    '/api/v1/accounts',
    {
      schema: {
        tags,
        security,
        summary: "Your accounts (staff: a customer's, with customerId); numbers masked",
        querystring: z.strictObject({ customerId: z.uuid().optional() }),
        response: { 200: z.object({ items: z.array(accountSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => listAccountsFor(ctx, requirePrincipal(request), request.query.customerId),
  );

  r.get(
    '/api/v1/accounts/:id',
    {
      schema: { tags, security, summary: 'One account', params: idParams, response: { 200: accountSchema } },
    },
    async (request) => getAccountFor(ctx, requirePrincipal(request), request.params.id),
  );

  r.get(
    '/api/v1/accounts/:id/balance',
    {
      schema: {
        tags,
        security,
        summary: 'Ledger balance and available balance (minus holds, plus overdraft)',
        params: idParams,
        response: { 200: balanceSchema },
      },
    },
    async (request) => balanceFor(ctx, requirePrincipal(request), request.params.id),
  );

  for (const change of ['freeze', 'unfreeze', 'close'] as const) {
    r.post(
      `/api/v1/accounts/:id/${change}`,
      {
        schema: {
          tags,
          security,
          summary:
            change === 'close'
              ? 'Close the account (zero balance and no holds, else 409 ACCOUNT_NOT_EMPTY)'
              : `${change === 'freeze' ? 'Freeze' : 'Unfreeze'} the account (staff)`,
          params: idParams,
          body: statusBody,
          response: { 200: accountSchema },
        },
      },
      async (request) =>
        changeAccountStatus(
          ctx,
          requirePrincipal(request),
          request.params.id,
          change,
          request.body?.reason,
          actorFrom(request),
        ),
    );
  }
}
