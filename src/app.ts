// Builds the Fastify application from the modules without listening, so tests can use
// app.inject() or listen on a free port themselves.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from './context.js';
import { registerStorableTextGuard } from './platform/http/storable-text.js';
import { registerProblemHandlers } from './platform/http/problem.js';
import { registerHealthRoutes } from './modules/health/routes.js';
import { registerAccessControl } from './modules/auth/access.js';
import { registerAuthRoutes } from './modules/auth/routes.js';
import { registerCustomerRoutes } from './modules/customers/routes.js';
import { registerAuditRoutes } from './modules/audit/routes.js';
import { registerAdminRoutes } from './modules/admin/routes.js';
import { registerAccountRoutes } from './modules/accounts/routes.js';
import { registerStatementRoutes } from './modules/statements/routes.js';
import { registerReportRoutes } from './modules/reports/routes.js';
import { registerPaymentRoutes } from './modules/payments/routes.js';
import { registerFraudRoutes } from './modules/fraud/routes.js';
import { registerWebPortal } from './modules/web/routes.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface BuildAppOptions {
  ctx: AppContext;
}

export async function buildApp({ ctx }: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false } },
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: ctx.config.TRUST_PROXY,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblemHandlers(app);
  registerStorableTextGuard(app);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'corebank API',
        version: '1',
        description:
          'Core banking: accounts, a double-entry ledger, money movement. Errors are RFC 9457 problem+json.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    void reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
  registerHealthRoutes(app, ctx);
  // Access control first: it attaches each /api route's policy as the route is registered.
  registerAccessControl(app, ctx);
  registerAuthRoutes(app, ctx);
  registerCustomerRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerStatementRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerPaymentRoutes(app, ctx);
  registerFraudRoutes(app, ctx);
  await registerWebPortal(app, ctx); // the portal at /, last: its catch-all GET yields to every route

  return app;
}
