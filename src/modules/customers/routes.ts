// Customers: the signed-in customer's profile, and staff search and reads (audited).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { actorFrom, requirePrincipal } from '../auth/access.js';
import { customerListSchema, customerSchema, customerSearchQuery, profilePatchSchema } from './schemas.js';
import { readCustomerAsStaff, searchCustomers, updateOwnProfile } from './service.js';

export function registerCustomerRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['customers'];
  const security = [{ bearerAuth: [] }];

  r.patch(
    '/api/v1/me/profile',
    {
      schema: {
        tags,
        security,
        summary: 'Edit your own profile (the national id is write-only)',
        body: profilePatchSchema,
        response: { 200: customerSchema },
      },
    },
    async (request) => updateOwnProfile(ctx, requirePrincipal(request), request.body, actorFrom(request)),
  );

  r.get(
    '/api/v1/customers',
    {
      schema: {
        tags,
        security,
        summary: 'Staff: search customers by name or e-mail prefix, phone, national id or id (audited)',
        querystring: customerSearchQuery,
        response: { 200: customerListSchema },
      },
    },
    async (request) => searchCustomers(ctx, request.query, actorFrom(request)),
  );

  r.get(
    '/api/v1/customers/:id',
    {
      schema: {
        tags,
        security,
        summary: "Staff: one customer's record (audited as a read of personal data)",
        params: z.strictObject({ id: z.uuid() }),
        response: { 200: customerSchema },
      },
    },
    async (request) => readCustomerAsStaff(ctx, request.params.id, actorFrom(request)),
  );
}
