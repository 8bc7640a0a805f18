// Text PostgreSQL can store. It refuses the NUL character (U+0000) in text and jsonb, and an
// unpaired UTF-16 surrogate (JSON allows "\ud800") has no UTF-8 form at all: jsonb refuses it,
// and a text column would silently get U+FFFD instead of what was sent. A request carrying
// either in any string (a transfer's description, a payee's name, an address line, a search
// term) passed its schema and then failed in the database as a 500, or was changed. Every
// request is checked once, at the door, for every route alike: its body, query and path
// parameters. Header values cannot carry either (Node refuses them).
import type { FastifyInstance } from 'fastify';
import { BankError } from '../errors.js';

const NUL = '\u0000';
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const storable = (s: string) => !s.includes(NUL) && !LONE_SURROGATE.test(s);

/** The path of the first string (or object key) in `value` that cannot be stored, if any. */
export function pathOfUnstorableText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return storable(value) ? undefined : path;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = pathOfUnstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    if (!storable(key)) return path;
    const found = pathOfUnstorableText(v, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

export const UNSTORABLE_TEXT_MESSAGE =
  'must be Unicode text without the NUL character (U+0000) or an unpaired surrogate';

export function registerStorableTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const path =
      pathOfUnstorableText(request.body, 'body') ??
      pathOfUnstorableText(request.query, 'query') ??
      pathOfUnstorableText(request.params, 'params');
    if (path) {
      throw new BankError('INVALID_REQUEST', `The request is not valid: ${path} ${UNSTORABLE_TEXT_MESSAGE}`, {
        errors: [{ path, message: UNSTORABLE_TEXT_MESSAGE }],
      });
    }
  });
}
