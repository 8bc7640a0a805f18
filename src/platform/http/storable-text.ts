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

/** A value met in the walk, with how it was reached (for the path, built only when needed). */
interface Visit {
  value: unknown;
  parent: Visit | undefined;
  key: string | number | undefined;
}

function pathTo(visit: Visit, root: string): string {
  const keys: (string | number)[] = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) keys.push(v.key);
  return keys.reduceRight<string>(
    (path, k) => (typeof k === 'number' ? `${path}[${k}]` : `${path}.${k}`),
    root,
  );
}

/**
 * The path of the first string (or object key) in `value` that cannot be stored, if any. The walk
 * keeps its own stack, not the call stack: a body of deeply nested arrays (a megabyte holds half
 * a million levels) parses fine and must not overflow the walk into a 500.
 */
export function pathOfUnstorableText(value: unknown, root: string): string | undefined {
  const stack: Visit[] = [{ value, parent: undefined, key: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const v = visit.value;
    if (typeof v === 'string') {
      if (!storable(v)) return pathTo(visit, root);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i] as unknown, parent: visit, key: i });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.some(([k]) => !storable(k))) return pathTo(visit, root);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i]!;
        stack.push({ value: child, parent: visit, key: k });
      }
    }
  }
  return undefined;
}

const UNSTORABLE_TEXT_MESSAGE =
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
