// The portal's one way to the API. The session lives in cookies the server sets at login:
// cb_access and cb_refresh are httpOnly (this code never sees a token), cb_csrf is readable and
// goes back as the x-csrf-token header on every state-changing request. On a 401 the client
// tries one refresh (shared by concurrent requests) and repeats the request once; when that
// fails too, it announces that the session has ended and the app shows the login page.

export interface FieldError {
  path: string;
  message: string;
}

/** A refusal from the server (its problem+json), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: FieldError[];
  readonly requestId: string | undefined;

  constructor(p: {
    status: number;
    code: string;
    title: string;
    detail: string;
    errors?: FieldError[];
    requestId?: string;
  }) {
    super(p.detail);
    this.name = 'ApiError';
    this.status = p.status;
    this.code = p.code;
    this.title = p.title;
    this.errors = p.errors ?? [];
    this.requestId = p.requestId;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** What to tell a person about an error: the server's detail when it gave one. */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) return e.message || e.title;
  if (e instanceof Error) return e.message;
  return 'Something went wrong';
}

const CSRF_COOKIE = 'cb_csrf';

export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** True when a browser session may exist (the readable CSRF cookie lives as long as the refresh token). */
export const hasSessionCookie = (): boolean => !!readCookie(CSRF_COOKIE);

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();

/** Called when the server refuses the session and a refresh cannot renew it. */
export function onSessionEnded(fn: Listener): () => void {
  sessionEndedListeners.add(fn);
  return () => sessionEndedListeners.delete(fn);
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Query;
  /** Sent as Idempotency-Key (money-moving POSTs): reuse it when retrying the same submission. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Do not try a refresh on 401 (the auth endpoints themselves). */
  noRefresh?: boolean;
}

export function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  try {
    return await fetch(withQuery(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError({
      status: 0,
      code: 'NETWORK',
      title: 'No connection',
      detail: 'The server could not be reached. Check the connection and try again.',
    });
  }
}

async function problemOf(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: keep the status
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return new ApiError({
    status: res.status,
    code: str(body.code) ?? `HTTP_${res.status}`,
    title: str(body.title) ?? res.statusText,
    detail: str(body.detail) ?? str(body.title) ?? `The server answered ${res.status}`,
    errors: Array.isArray(body.errors) ? (body.errors as FieldError[]) : [],
    ...(str(body.requestId) ? { requestId: str(body.requestId)! } : {}),
  });
}

let refreshing: Promise<boolean> | null = null;

/** Where a 401 is an answer about credentials, not an expired session. */
const NO_REFRESH = new Set(['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/register']);

/** Renews the access cookie with the refresh cookie; one attempt shared by all callers. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      if (!hasSessionCookie()) return false;
      const res = await send('/api/v1/auth/refresh', { method: 'POST' });
      return res.ok;
    } catch {
      return false;
    } finally {
      setTimeout(() => (refreshing = null), 0);
    }
  })();
  return refreshing;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  let res = await send(path, opts);
  if (res.status === 401 && !opts.noRefresh && !NO_REFRESH.has(path)) {
    const problem = await problemOf(res);
    if (problem.code !== 'UNAUTHENTICATED') throw problem;
    if (await refreshSession()) {
      res = await send(path, opts);
    }
    if (res.status === 401) {
      for (const fn of sessionEndedListeners) fn();
      throw await problemOf(res);
    }
  }
  if (!res.ok) throw await problemOf(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) return (await res.json()) as T;
  return (await res.text()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>(path, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) }),
  post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'method' | 'body'> = {}) =>
    request<T>(path, { ...opts, method: 'POST', ...(body === undefined ? {} : { body }) }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
};

/** A fresh idempotency key for one submission of a money-moving form. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- what the server offers ---------------------------------------------------------------

let capabilities: Promise<Set<string>> | null = null;

/**
 * The routes the server publishes in its OpenAPI document, as "METHOD /path/{param}". Screens
 * for modules that are not there yet (fraud, reports …) say "not available" instead of calling
 * an endpoint that would 404.
 */
export function loadCapabilities(): Promise<Set<string>> {
  capabilities ??= (async () => {
    const out = new Set<string>();
    try {
      const res = await fetch('/openapi.json', { credentials: 'same-origin' });
      if (!res.ok) return out;
      const doc = (await res.json()) as { paths?: Record<string, Record<string, unknown>> };
      for (const [p, ops] of Object.entries(doc.paths ?? {})) {
        for (const m of Object.keys(ops)) out.add(`${m.toUpperCase()} ${p}`);
      }
    } catch {
      // no document: every optional screen says "not available"
    }
    return out;
  })();
  return capabilities;
}
