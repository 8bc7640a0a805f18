// Serves the web portal (web/, built by Vite into web/dist) at `/`, beside the API. Any GET
// that is not a file of the build and not under a server prefix (/api, /health, /docs …) gets
// index.html, so the portal's own paths (/accounts/…) survive a reload. Under the server
// prefixes an unknown path stays a problem+json 404. Without a build, `/` says how to make one.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.js';
import { BankError } from '../../platform/errors.js';
import { projectRoot } from '../../platform/paths.js';

export const portalDist = path.join(projectRoot, 'web', 'dist');

const SERVER_PREFIXES = ['/api', '/health', '/docs', '/metrics', '/openapi.json'];

/** Strict headers for the portal's pages: scripts and styles only from this origin, no framing. */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>corebank</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>corebank</h1>
<p>The web portal has not been built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it
when it is missing) and reload this page.</p>
<p>The API is at <a href="/docs">/docs</a>.</p></main></body></html>
`;

function isServerPath(urlPath: string): boolean {
  return SERVER_PREFIXES.some((p) => urlPath === p || urlPath.startsWith(`${p}/`));
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function sendIndex(reply: FastifyReply, root: string): FastifyReply {
  void reply.headers(PAGE_HEADERS).header('cache-control', 'no-cache');
  return reply.sendFile('index.html', root, { cacheControl: false });
}

export interface WebPortalOptions {
  /** The built portal (default web/dist). */
  root?: string;
}

export async function registerWebPortal(
  app: FastifyInstance,
  _ctx: AppContext,
  opts: WebPortalOptions = {},
): Promise<void> {
  const root = opts.root ?? portalDist;
  await app.register(async (web) => {
    await web.register(fastifyStatic, { serve: false });

    web.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const urlPath = decodeURIComponentSafe(request.url.split('?')[0] ?? '/');
      if (urlPath === null || isServerPath(urlPath)) {
        throw new BankError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`);
      }
      if (!(await isFile(path.join(root, 'index.html')))) {
        return reply
          .code(urlPath === '/' ? 200 : 404)
          .type('text/html; charset=utf-8')
          .send(NOT_BUILT);
      }
      const rel = path.posix.normalize(urlPath).replace(/^\/+/, '');
      const looksLikeFile = /\.[A-Za-z0-9]{1,8}$/.test(rel);
      if (rel !== '' && !rel.startsWith('..') && !rel.split('/').some((s) => s.startsWith('.'))) {
        if (await isFile(path.join(root, rel))) {
          // Vite's hashed bundles never change under one name: cache them for a year.
          const immutable = rel.startsWith('assets/');
          return reply.sendFile(rel, root, {
            dotfiles: 'deny',
            ...(immutable ? { maxAge: '365d', immutable: true } : { maxAge: 0 }),
          });
        }
      }
      // A missing asset is a 404, not the portal: a stale bundle name must not load HTML as JS.
      if (looksLikeFile) throw new BankError('NOT_FOUND', `No file ${urlPath}`);
      return sendIndex(reply, root);
    });
  });
}

function decodeURIComponentSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
