// /api/v1/admin/users: list, create staff, change role or status (admin only).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { actorFrom, requirePrincipal } from '../auth/access.js';
import { roles, staffRoles } from '../auth/roles.js';
import { emailSchema, passwordInput, userSchema } from '../auth/schemas.js';
import { createUser } from '../auth/service.js';
import { listUsers, updateUser } from './service.js';

const statuses = ['ACTIVE', 'DISABLED'] as const;
const adminUserSchema = userSchema.extend({ locked: z.boolean() });

export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];
  const security = [{ bearerAuth: [] }];

  r.get(
    '/api/v1/admin/users',
    {
      schema: {
        tags,
        security,
        summary: 'List users (filter by role, status, e-mail prefix)',
        querystring: z.strictObject({
          role: z.enum(roles).optional(),
          status: z.enum(statuses).optional(),
          q: z.string().trim().min(1).max(254).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(200).optional(),
        }),
        response: { 200: z.object({ items: z.array(adminUserSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => listUsers(ctx, request.query),
  );

  r.post(
    '/api/v1/admin/users',
    {
      schema: {
        tags,
        security,
        summary: 'Create a staff user',
        body: z.strictObject({ email: emailSchema, password: passwordInput, role: z.enum(staffRoles) }),
        response: { 201: z.object({ user: userSchema }) },
      },
    },
    async (request, reply) => {
      const user = await createUser(ctx, request.body, actorFrom(request));
      return reply.code(201).send({ user });
    },
  );

  r.patch(
    '/api/v1/admin/users/:id',
    {
      schema: {
        tags,
        security,
        summary: "Change a user's role or status (DISABLED ends their sessions; ACTIVE also lifts a lockout)",
        params: z.strictObject({ id: z.uuid() }),
        body: z
          .strictObject({ role: z.enum(roles).optional(), status: z.enum(statuses).optional() })
          .refine((b) => b.role !== undefined || b.status !== undefined, 'role or status is required'),
        response: { 200: adminUserSchema },
      },
    },
    async (request) =>
      updateUser(ctx, requirePrincipal(request), request.params.id, request.body, actorFrom(request)),
  );
}
