// Liveness, readiness and an aggregated status; no authentication, nothing sensitive.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';

type ComponentStatus = { status: 'ok' | 'down'; latencyMs?: number; error?: string };

async function checkDatabase(ctx: AppContext): Promise<ComponentStatus> {
  const started = performance.now();
  try {
    await Promise.race([
      ctx.pool.query('select 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref()),
    ]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 'down', error: (err as Error).message };
  }
}

export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['health'];
  r.get('/health/live', { schema: { tags, summary: 'Liveness: the process answers' } }, async () => ({
    status: 'ok',
  }));
  r.get(
    '/health/ready',
    { schema: { tags, summary: 'Readiness: 200 when the database answers, else 503' } },
    async (_req, reply) => {
      const db = await checkDatabase(ctx);
      return reply
        .code(db.status === 'ok' ? 200 : 503)
        .send({ status: db.status === 'ok' ? 'ok' : 'unavailable', database: db });
    },
  );
  r.get(
    '/health',
    {
      schema: {
        tags,
        summary: 'Aggregated status of every component (ok or degraded; 503 when the database is down)',
        response: {
          200: z.object({ status: z.enum(['ok', 'degraded']) }).passthrough(),
          503: z.object({ status: z.literal('down') }).passthrough(),
        },
      },
    },
    async (_req, reply) => {
      const database = await checkDatabase(ctx);
      const components: Record<string, ComponentStatus> = { database };
      const down = database.status !== 'ok';
      return reply
        .code(down ? 503 : 200)
        .send({ status: down ? 'down' : 'ok', uptimeSeconds: Math.round(process.uptime()), components });
    },
  );
}
