// /api/v1 money movement: deposits, withdrawals, transfers, holds, reversals, external
// transfers, history. Every money-moving POST needs an Idempotency-Key and counts against the
// caller's movement rate limit; the reply of a replayed key carries `Idempotency-Replayed: true`.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { BankError } from '../../platform/errors.js';
import { createRateLimiter } from '../../platform/rate-limit.js';
import { actorFrom, requirePrincipal } from '../auth/access.js';
import { createScreener } from '../fraud/screen.js';
import { createMovementExecutor } from './batcher.js';
import { listHistory } from './history.js';
import * as s from './schemas.js';
import { createPaymentsService, type Caller, type Reply } from './service.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,100}$/;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function registerPaymentRoutes(app: FastifyInstance, ctx: AppContext): void {
  const executor = createMovementExecutor(
    ctx.pool,
    {
      windowMs: ctx.config.MOVEMENT_BATCH_WINDOW_MS,
      maxSize: ctx.config.MOVEMENT_BATCH_MAX,
      maxInFlight: ctx.config.MOVEMENT_BATCHES_IN_FLIGHT,
      screener: createScreener(ctx.config),
    },
    ctx.metrics,
  );
  const limiter = createRateLimiter({ redisUrl: ctx.config.REDIS_URL, log: ctx.log });
  app.addHook('onClose', async () => {
    await executor.close();
    await limiter.close();
  });
  const payments = createPaymentsService({ pool: ctx.pool, config: ctx.config, executor });

  /** The caller of a money-moving POST: rate-limited, with its Idempotency-Key checked. */
  async function movingCaller(request: FastifyRequest): Promise<Caller> {
    const principal = requirePrincipal(request);
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      throw new BankError(
        'INVALID_REQUEST',
        'An Idempotency-Key header (1–100 letters, digits, _ . : -) is required',
        {
          errors: [
            { path: 'headers.idempotency-key', message: 'is required: 1–100 letters, digits, _ . : -' },
          ],
        },
      );
    }
    const limit = await limiter.hit(
      `movements:${principal.userId}`,
      ctx.config.RATE_LIMIT_MOVEMENTS_PER_MINUTE,
      60_000,
    );
    if (!limit.allowed) {
      throw new BankError('RATE_LIMITED', 'Too many money movements; try again shortly', {
        headers: { 'retry-after': String(limit.retryAfterSeconds) },
      });
    }
    const requestHash = createHash('sha256')
      .update(
        `${request.method} ${request.routeOptions.url} ${canonical(request.params)} ${canonical(request.body ?? null)}`,
      )
      .digest('hex');
    return readCaller(request, { key, requestHash });
  }

  function readCaller(request: FastifyRequest, idempotency?: Caller['idempotency']): Caller {
    const actor = actorFrom(request);
    return {
      principal: requirePrincipal(request),
      actor,
      channel: { ip: actor.ip, userAgent: actor.userAgent },
      idempotency,
    };
  }

  const send = (reply: FastifyReply, r: Reply) => {
    if (r.replayed) void reply.header('idempotency-replayed', 'true');
    return reply.code(r.status).send(r.body);
  };

  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['money movement'];
  const security = [{ bearerAuth: [] }];
  const idempotencyHeader = z.object({
    'idempotency-key': z
      .string()
      .describe('1–100 chars; a retry with the same key and body replays the first reply'),
  });
  const moved = { 200: s.transactionJson, 201: s.transactionJson, 202: s.transactionJson };

  r.post(
    '/api/v1/deposits',
    {
      schema: {
        tags,
        security,
        summary: 'Deposit into an account (staff: cash at the counter)',
        headers: idempotencyHeader,
        body: s.depositBody,
        response: moved,
      },
    },
    async (req, reply) => send(reply, await payments.deposit(await movingCaller(req), req.body)),
  );
  r.post(
    '/api/v1/withdrawals',
    {
      schema: {
        tags,
        security,
        summary: 'Withdraw from an account (staff: cash at the counter)',
        headers: idempotencyHeader,
        body: s.withdrawalBody,
        response: moved,
      },
    },
    async (req, reply) => send(reply, await payments.withdraw(await movingCaller(req), req.body)),
  );
  r.post(
    '/api/v1/transfers',
    {
      schema: {
        tags,
        security,
        summary: 'Transfer to an account (by id or number) or to another bank (pending until settled)',
        headers: idempotencyHeader,
        body: s.transferBody,
        response: moved,
      },
    },
    async (req, reply) => send(reply, await payments.transfer(await movingCaller(req), req.body)),
  );
  r.post(
    '/api/v1/holds',
    {
      schema: {
        tags,
        security,
        summary: 'Reserve funds (two-phase): capture or void later',
        headers: idempotencyHeader,
        body: s.holdBody,
        response: moved,
      },
    },
    async (req, reply) => send(reply, await payments.hold(await movingCaller(req), req.body)),
  );
  r.post(
    '/api/v1/holds/:id/capture',
    {
      schema: {
        tags,
        security,
        summary: 'Capture a hold, fully or in part (the rest is released)',
        headers: idempotencyHeader,
        params: s.idParams,
        body: s.captureBody,
        response: moved,
      },
    },
    async (req, reply) =>
      send(
        reply,
        await payments.settle(await movingCaller(req), req.params.id, {
          post: true,
          ...(req.body?.amount !== undefined ? { amount: req.body.amount } : {}),
        }),
      ),
  );
  r.post(
    '/api/v1/holds/:id/void',
    {
      schema: {
        tags,
        security,
        summary: 'Release a hold',
        headers: idempotencyHeader,
        params: s.idParams,
        body: s.voidBody,
        response: moved,
      },
    },
    async (req, reply) =>
      send(
        reply,
        await payments.settle(await movingCaller(req), req.params.id, {
          post: false,
          ...(req.body?.reason ? { reason: req.body.reason } : {}),
        }),
      ),
  );
  r.post(
    '/api/v1/transactions/:id/reverse',
    {
      schema: {
        tags,
        security,
        summary: 'Reverse a completed transaction (staff)',
        headers: idempotencyHeader,
        params: s.idParams,
        body: s.reverseBody,
        response: moved,
      },
    },
    async (req, reply) =>
      send(
        reply,
        await payments.reverse(await movingCaller(req), req.params.id, {
          description: req.body?.description,
        }),
      ),
  );
  r.post(
    '/api/v1/external/inbound',
    {
      schema: {
        tags,
        security,
        summary: 'Credit money that arrived from another bank (integration, staff)',
        headers: idempotencyHeader,
        body: s.inboundBody,
        response: moved,
      },
    },
    async (req, reply) => send(reply, await payments.inbound(await movingCaller(req), req.body)),
  );
  r.post(
    '/api/v1/external/settlements',
    {
      schema: {
        tags,
        security,
        summary: 'Settle or return outbound external transfers (the settlement simulator / clearing file)',
        body: s.settlementBody,
        response: {
          200: z.object({
            items: z.array(
              z.object({ transactionId: z.uuid(), status: z.string(), error: z.string().optional() }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const caller = readCaller(req);
      // In file order: a file may name the same transfer twice, and the first line wins.
      const items: { transactionId: string; status: string; error?: string }[] = [];
      for (const item of req.body.items) {
        try {
          const done = await payments.settle(
            caller,
            item.transactionId,
            item.outcome === 'SETTLED'
              ? { post: true }
              : { post: false, reason: item.reason ?? 'returned by the receiving bank' },
          );
          items.push({ transactionId: item.transactionId, status: (done.body as { status: string }).status });
        } catch (err) {
          if (!(err instanceof BankError)) throw err;
          items.push({ transactionId: item.transactionId, status: 'REFUSED', error: err.code });
        }
      }
      return { items };
    },
  );

  const page = z.object({ items: z.array(s.transactionJson), nextCursor: z.string().nullable() });
  r.get(
    '/api/v1/transactions/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One transaction',
        params: s.idParams,
        response: { 200: s.transactionJson },
      },
    },
    async (req) => payments.get(requirePrincipal(req), req.params.id),
  );
  r.patch(
    '/api/v1/transactions/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Set the category and tags of your transaction',
        params: s.idParams,
        body: s.labelBody,
        response: { 200: s.transactionJson },
      },
    },
    async (req) => payments.label(readCaller(req), req.params.id, req.body),
  );
  r.get(
    '/api/v1/accounts/:id/transactions',
    {
      schema: {
        tags,
        security,
        summary: "An account's history, newest first",
        params: s.idParams,
        querystring: s.historyQuery,
        response: { 200: page },
      },
    },
    async (req) => listHistory(ctx.pool, requirePrincipal(req), { accountId: req.params.id }, req.query),
  );
  r.get(
    '/api/v1/transactions',
    {
      schema: {
        tags,
        security,
        summary: "A customer's history across accounts (staff give customerId or accountId)",
        querystring: s.customerHistoryQuery,
        response: { 200: page },
      },
    },
    async (req) =>
      listHistory(
        ctx.pool,
        requirePrincipal(req),
        { accountId: req.query.accountId, customerId: req.query.customerId },
        req.query,
      ),
  );
}
