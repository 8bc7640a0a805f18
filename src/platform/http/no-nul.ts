// PostgreSQL cannot store the NUL character (U+0000) in text or jsonb: a request that carried
// one in any string (a transfer's description, an address line, a search term) passed its
// schema and then failed in the database, as a 500. Every request is checked once, at the door,
// for every route alike: its body, query and path parameters. Header values cannot carry one
// (Node refuses them).
import type { FastifyInstance } from 'fastify';
import { BankError } from '../errors.js';

const NUL = '\u0000';

/** The path of the first string (or object key) in `value` that holds a NUL, if any. */
export function pathOfNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pathOfNul(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key.includes(NUL)) return path;
    const found = pathOfNul(v, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const path =
      pathOfNul(request.body, 'body') ??
      pathOfNul(request.query, 'query') ??
      pathOfNul(request.params, 'params');
    if (path) {
      const message = 'must not contain the NUL character (U+0000)';
      throw new BankError('INVALID_REQUEST', `The request is not valid: ${path} ${message}`, {
        errors: [{ path, message }],
      });
    }
  });
}
