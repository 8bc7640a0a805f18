// Minimal cookie reading and writing (RFC 6265): enough for the session cookies, without a
// plugin. Values we set are base64url or JWT characters, so they need no encoding.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CookieOptions {
  maxAgeSeconds?: number;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Strict' | 'Lax';
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[!#-+\--:<-[\]-~]*$/; // cookie-octet: no space, quote, comma, semicolon, backslash

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (NAME.test(name) && !(name in out)) out[name] = value;
  }
  return out;
}

export function getCookie(request: FastifyRequest, name: string): string | undefined {
  const value = parseCookies(request.headers.cookie)[name];
  return value === undefined || value === '' ? undefined : value;
}

export function serializeCookie(name: string, value: string, opts: CookieOptions = {}): string {
  if (!NAME.test(name)) throw new Error(`Invalid cookie name ${name}`);
  if (!VALUE.test(value)) throw new Error(`Invalid value for cookie ${name}`);
  const parts = [`${name}=${value}`, `Path=${opts.path ?? '/'}`];
  if (opts.maxAgeSeconds !== undefined) {
    parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`);
    if (opts.maxAgeSeconds <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  if (opts.httpOnly) parts.push('HttpOnly');
  if (opts.secure) parts.push('Secure');
  parts.push(`SameSite=${opts.sameSite ?? 'Strict'}`);
  return parts.join('; ');
}

/** Adds a Set-Cookie header (Fastify appends to any already set on the reply). */
export function setCookie(reply: FastifyReply, name: string, value: string, opts: CookieOptions = {}): void {
  void reply.header('set-cookie', serializeCookie(name, value, opts));
}

export function clearCookie(
  reply: FastifyReply,
  name: string,
  opts: Omit<CookieOptions, 'maxAgeSeconds'> = {},
): void {
  setCookie(reply, name, '', { ...opts, maxAgeSeconds: 0 });
}
