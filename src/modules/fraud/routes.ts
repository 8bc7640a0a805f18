// /api/v1/fraud: the analyst's alert queue. Analysts and admins list and read alerts, move them
// OPEN → INVESTIGATING → RESOLVED | FALSE_POSITIVE with notes, and release or reject the movement
// an alert holds. Scoring itself happens inside the money path (screen.ts), not here.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { actorFrom } from '../auth/access.js';
import { riskJson, transactionJson } from '../payments/schemas.js';
import { alertStatuses, holdStates } from './repo.js';
import { recommendations } from './rules.js';
import { createFraudService } from './service.js';

const notes = z.string().trim().min(1).max(1000);

export const alertJson = z.object({
  id: z.uuid(),
  transactionId: z.uuid(),
  accountId: z.uuid(),
  customerId: z.uuid(),
  status: z.enum(alertStatuses),
  hold: z
    .enum(holdStates)
    .nullable()
    .describe('HELD until released, rejected or expired; null when the movement was only flagged'),
  score: z.number().int(),
  recommendation: z.enum(recommendations),
  reasons: riskJson.shape.reasons,
  amount: z.string(),
  currency: z.string(),
  analystId: z.uuid().nullable(),
  notes: z.array(z.object({ at: z.string(), by: z.string().nullable(), text: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  holdResolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});

const listQuery = z.strictObject({
  status: z.enum(alertStatuses).optional(),
  hold: z.enum(holdStates).optional(),
  accountId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const idParams = z.strictObject({ id: z.uuid() });

const patchBody = z
  .strictObject({ status: z.enum(alertStatuses).optional(), notes: notes.optional() })
  .refine((b) => b.status !== undefined || b.notes !== undefined, {
    message: 'give status or notes',
    path: ['status'],
  });

const decisionBody = z.strictObject({ notes: notes.optional() }).nullish();

export function registerFraudRoutes(app: FastifyInstance, ctx: AppContext): void {
  const fraud = createFraudService(ctx.pool);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['fraud'];
  const security = [{ bearerAuth: [] }];
  const decided = z.object({ alert: alertJson, transaction: transactionJson });

  r.get(
    '/api/v1/fraud/alerts',
    {
      schema: {
        tags,
        security,
        summary: 'Fraud alerts, newest first (analyst, admin)',
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(alertJson), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => fraud.list(req.query),
  );
  r.get(
    '/api/v1/fraud/alerts/:id',
    {
      schema: { tags, security, summary: 'One fraud alert', params: idParams, response: { 200: alertJson } },
    },
    async (req) => fraud.get(req.params.id),
  );
  r.patch(
    '/api/v1/fraud/alerts/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Move an alert OPEN → INVESTIGATING → RESOLVED | FALSE_POSITIVE, or add a note (audited)',
        params: idParams,
        body: patchBody,
        response: { 200: alertJson },
      },
    },
    async (req) => fraud.update(actorFrom(req), req.params.id, req.body),
  );
  r.post(
    '/api/v1/fraud/alerts/:id/release',
    {
      schema: {
        tags,
        security,
        summary:
          'Release the held movement: it posts (an external transfer goes on to settlement), exactly once',
        params: idParams,
        body: decisionBody,
        response: { 200: decided },
      },
    },
    async (req) => fraud.release(actorFrom(req), req.params.id, req.body?.notes),
  );
  r.post(
    '/api/v1/fraud/alerts/:id/reject',
    {
      schema: {
        tags,
        security,
        summary: 'Reject the held movement: it is voided and the funds return to the account',
        params: idParams,
        body: decisionBody,
        response: { 200: decided },
      },
    },
    async (req) => fraud.reject(actorFrom(req), req.params.id, req.body?.notes),
  );
}
