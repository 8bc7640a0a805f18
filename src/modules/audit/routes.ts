// The audit trail over HTTP: filtered, newest first, cursor-paginated; and the chain check.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { listAudit, verifyAuditChain } from './service.js';

const json: z.ZodType<unknown> = z.unknown();

const auditRecordSchema = z.object({
  seq: z.string(),
  id: z.uuid(),
  createdAt: z.string(),
  actorId: z.string().nullable(),
  actorRole: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  action: z.string(),
  before: json,
  after: json,
  prevHash: z.string(),
  hash: z.string(),
});

const auditQuery = z
  .strictObject({
    entityType: z.string().min(1).max(64).optional(),
    entityId: z.string().min(1).max(128).optional(),
    actorId: z.uuid().optional(),
    action: z.string().min(1).max(128).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(20).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });

const verificationSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  headSeq: z.string(),
  headHash: z.string(),
  brokenAt: z.object({ seq: z.string(), reason: z.string() }).nullable(),
});

export function registerAuditRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  const security = [{ bearerAuth: [] }];

  r.get(
    '/api/v1/audit',
    {
      schema: {
        tags,
        security,
        summary: 'The audit trail, newest first (auditor, admin)',
        querystring: auditQuery,
        response: { 200: z.object({ items: z.array(auditRecordSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => listAudit(ctx.pool, request.query),
  );

  r.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags,
        security,
        summary: 'Check the hash chain of the whole audit trail (ok: false names the first broken row)',
        response: { 200: verificationSchema },
      },
    },
    async () => verifyAuditChain(ctx.pool),
  );
}
