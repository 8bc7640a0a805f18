// /api/v1/auth/* and /api/v1/me: parse, rate-limit, call the service, shape the reply and the
// browser session cookies.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { BankError } from '../../platform/errors.js';
import { createRateLimiter, type RateLimiter } from '../../platform/rate-limit.js';
import {
  actorFrom,
  checkCsrf,
  clearSessionCookies,
  refreshTokenCookie,
  requirePrincipal,
  setSessionCookies,
} from './access.js';
import {
  loginBody,
  meSchema,
  mfaSetupSchema,
  mfaVerifyBody,
  passwordChangeBody,
  refreshBody,
  registerBody,
  tokenPairSchema,
  userSchema,
} from './schemas.js';
import { changePassword, login, logout, me, mfaSetup, mfaVerify, refresh, register } from './service.js';

const MINUTE = 60_000;
const noBody = z.strictObject({}).nullish();

export async function enforceRateLimit(limiter: RateLimiter, key: string, limit: number, windowMs = MINUTE) {
  const r = await limiter.hit(key, limit, windowMs);
  if (!r.allowed) {
    throw new BankError('RATE_LIMITED', `Too many attempts; try again in ${r.retryAfterSeconds} s`, {
      headers: { 'retry-after': String(r.retryAfterSeconds) },
    });
  }
}

export function registerAuthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { config } = ctx;
  const limiter = createRateLimiter({ redisUrl: config.REDIS_URL, log: ctx.log });
  app.addHook('onClose', async () => limiter.close());
  const perIp = (name: string, ip: string) =>
    enforceRateLimit(limiter, `${name}:ip:${ip}`, config.RATE_LIMIT_AUTH_PER_IP_PER_MINUTE);
  const tags = ['auth'];
  const security = [{ bearerAuth: [] }];

  r.post(
    '/api/v1/auth/register',
    {
      schema: {
        tags,
        summary: 'Register a customer: creates the customer record and its login',
        body: registerBody,
        response: { 201: z.object({ user: userSchema }) },
      },
    },
    async (request, reply) => {
      await perIp('register', request.ip);
      const user = await register(ctx, request.body, actorFrom(request));
      return reply.code(201).send({ user });
    },
  );

  r.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags,
        summary:
          'Sign in: returns an access token (≤ 15 min) and a refresh token, and sets the session cookies',
        body: loginBody,
        response: { 200: tokenPairSchema },
      },
    },
    async (request, reply) => {
      await enforceRateLimit(limiter, `login:ip:${request.ip}`, config.RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE);
      await enforceRateLimit(
        limiter,
        `login:account:${request.body.email}`,
        config.RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_MINUTE,
      );
      const tokens = await login(ctx, request.body, actorFrom(request));
      setSessionCookies(reply, config, tokens);
      return tokens;
    },
  );

  r.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags,
        summary: 'Rotate the refresh token (body or cb_refresh cookie); a reused token ends the session',
        body: refreshBody,
        response: { 200: tokenPairSchema },
      },
    },
    async (request, reply) => {
      await perIp('refresh', request.ip);
      const fromBody = request.body?.refreshToken;
      const token = fromBody ?? refreshTokenCookie(request);
      if (!token) throw new BankError('UNAUTHENTICATED', 'Send the refresh token');
      const csrf = fromBody === undefined ? (sid: string) => checkCsrf(config, request, sid) : undefined;
      const tokens = await refresh(ctx, token, actorFrom(request), csrf);
      setSessionCookies(reply, config, tokens);
      return tokens;
    },
  );

  r.post(
    '/api/v1/auth/logout',
    { schema: { tags, security, summary: 'End this session', body: noBody } },
    async (request, reply) => {
      await logout(ctx, requirePrincipal(request), actorFrom(request));
      clearSessionCookies(reply, config);
      return reply.code(204).send();
    },
  );

  r.get(
    '/api/v1/me',
    {
      schema: {
        tags,
        security,
        summary: 'The signed-in user and their customer profile',
        response: { 200: meSchema },
      },
    },
    async (request) => me(ctx, requirePrincipal(request)),
  );

  r.post(
    '/api/v1/auth/password',
    {
      schema: {
        tags,
        security,
        summary: 'Change the password; every other session of the user ends',
        body: passwordChangeBody,
      },
    },
    async (request, reply) => {
      await perIp('password', request.ip);
      await changePassword(ctx, requirePrincipal(request), request.body, actorFrom(request));
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/auth/mfa/setup',
    {
      schema: {
        tags,
        security,
        summary: 'Start TOTP enrolment: returns the secret to load into an authenticator app',
        body: noBody,
        response: { 200: mfaSetupSchema },
      },
    },
    async (request) => mfaSetup(ctx, requirePrincipal(request), actorFrom(request)),
  );

  r.post(
    '/api/v1/auth/mfa/verify',
    {
      schema: {
        tags,
        security,
        summary: 'Finish TOTP enrolment with a code from the app',
        body: mfaVerifyBody,
        response: { 200: z.object({ mfaEnabled: z.literal(true) }) },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      await enforceRateLimit(
        limiter,
        `mfa:user:${principal.userId}`,
        config.RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_MINUTE,
      );
      return mfaVerify(ctx, principal, request.body.otp, actorFrom(request));
    },
  );
}
