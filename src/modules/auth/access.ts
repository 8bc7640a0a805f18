// The one access-control hook. For each /api route it takes the route's entry in the policy
// table (attached to the route's config when the route is registered; a route without one
// stops the app from starting), authenticates the caller (Bearer token, or the cb_access
// cookie plus a CSRF token on state-changing methods), checks the role, and sets
// `request.principal`.
//
// Other modules use: `requirePrincipal(request)` in handlers and `actorFrom(request)` for audit.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { safeEqual } from '../../platform/crypto.js';
import { clearCookie, getCookie, setCookie } from '../../platform/http/cookies.js';
import { BankError } from '../../platform/errors.js';
import type { Config } from '../../platform/config.js';
import type { AuditActor } from '../audit/types.js';
import { policyFor, type Access } from './policy.js';
import type { Principal } from './roles.js';
import { authenticate } from './service.js';
import { csrfTokenFor } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const ACCESS_COOKIE = 'cb_access';
export const REFRESH_COOKIE = 'cb_refresh';
export const CSRF_COOKIE = 'cb_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const REFRESH_COOKIE_PATH = '/api/v1/auth';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

const registered = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** The /api routes registered on an app (for tests that walk the policy table). */
export function apiRoutes(app: FastifyInstance): { method: string; url: string }[] {
  return registered.get(app) ?? [];
}

function credentials(request: FastifyRequest): { token: string; viaCookie: boolean } | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = BEARER.exec(header);
    if (!m)
      throw new BankError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <access token>"');
    return { token: m[1]!, viaCookie: false };
  }
  const cookie = getCookie(request, ACCESS_COOKIE);
  return cookie ? { token: cookie, viaCookie: true } : undefined;
}

/** Throws 403 unless the request carries the CSRF token of the session. */
export function checkCsrf(config: Config, request: FastifyRequest, sessionId: string): void {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(config, sessionId))) {
    throw new BankError('FORBIDDEN', `A cookie-authenticated request must send the ${CSRF_HEADER} header`);
  }
}

export function registerAccessControl(app: FastifyInstance, ctx: AppContext): void {
  const routes: { method: string; url: string }[] = [];
  registered.set(app, routes);
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const access = policyFor(method, route.url);
      if (!access) {
        throw new Error(
          `No access policy for ${method} ${route.url}: add it to src/modules/auth/policy.ts (policyTable)`,
        );
      }
      if (method !== 'HEAD') routes.push({ method, url: route.url });
      route.config = { ...(route.config ?? {}), access };
    }
  });

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (!url || !url.startsWith('/api/')) return; // not found, health, docs, metrics
    const access = request.routeOptions.config.access ?? policyFor(request.method, url);
    if (!access) throw new BankError('FORBIDDEN', 'This route has no access policy');
    if (access.public) return;
    const cred = credentials(request);
    if (!cred) throw new BankError('UNAUTHENTICATED', 'Sign in: send "Authorization: Bearer <access token>"');
    const principal = await authenticate(ctx, cred.token);
    if (cred.viaCookie && !SAFE_METHODS.has(request.method))
      checkCsrf(ctx.config, request, principal.sessionId);
    if (principal.mfaSetupRequired && !access.duringMfaSetup) {
      throw new BankError(
        'MFA_SETUP_REQUIRED',
        'Staff must set up a second factor: POST /api/v1/auth/mfa/setup',
      );
    }
    if (!access.roles.includes(principal.role)) throw new BankError('FORBIDDEN', 'Your role may not do this');
    request.principal = principal;
  });
}

/** The authenticated caller; every non-public route has one. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new BankError('UNAUTHENTICATED');
  return request.principal;
}

/** Who acts, from where: for recordAudit(). */
export function actorFrom(request: FastifyRequest): AuditActor {
  const ua = request.headers['user-agent'];
  return {
    userId: request.principal?.userId ?? null,
    role: request.principal?.role ?? null,
    ip: request.ip ?? null,
    userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    requestId: String(request.id),
  };
}

// ---- browser session cookies --------------------------------------------------------------

export function setSessionCookies(
  reply: FastifyReply,
  config: Config,
  t: {
    accessToken: string;
    refreshToken: string;
    csrfToken: string;
    expiresIn: number;
    refreshExpiresIn: number;
  },
): void {
  const secure = config.NODE_ENV === 'production';
  setCookie(reply, ACCESS_COOKIE, t.accessToken, {
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    path: '/',
    maxAgeSeconds: t.expiresIn,
  });
  setCookie(reply, REFRESH_COOKIE, t.refreshToken, {
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    path: REFRESH_COOKIE_PATH,
    maxAgeSeconds: t.refreshExpiresIn,
  });
  setCookie(reply, CSRF_COOKIE, t.csrfToken, {
    httpOnly: false,
    secure,
    sameSite: 'Strict',
    path: '/',
    maxAgeSeconds: t.refreshExpiresIn,
  });
}

export function clearSessionCookies(reply: FastifyReply, config: Config): void {
  const secure = config.NODE_ENV === 'production';
  clearCookie(reply, ACCESS_COOKIE, { httpOnly: true, secure, path: '/' });
  clearCookie(reply, REFRESH_COOKIE, { httpOnly: true, secure, path: REFRESH_COOKIE_PATH });
  clearCookie(reply, CSRF_COOKIE, { secure, path: '/' });
}

export function refreshTokenCookie(request: FastifyRequest): string | undefined {
  return getCookie(request, REFRESH_COOKIE);
}
