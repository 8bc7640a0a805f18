// Cursor pagination, one way everywhere: a cursor is the position of the last row of the previous
// page — its sort key and its id — encoded opaquely. A cursor that this API did not issue is a
// 400 INVALID_REQUEST, checked here completely, so no malformed key can reach the database (a
// regex-valid "2026-02-30" would otherwise surface as a database error and a 500).
import { BankError } from '../errors.js';
import { isTimestamp } from '../time.js';
import { isUuid } from '../ids.js';

export function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id]), 'utf8').toString('base64url');
}

/**
 * The position a cursor names. `key` says what the sort key must be: a timestamp, or any text
 * (a name, say).
 */
export function decodeCursor(cursor: string, key: 'timestamp' | 'text'): { key: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      isUuid(v[1]) &&
      (key === 'text' || isTimestamp(v[0]))
    ) {
      return { key: v[0], id: v[1] };
    }
  } catch {
    // not base64url JSON: fall through
  }
  throw new BankError('INVALID_REQUEST', 'The cursor is not valid', {
    errors: [{ path: 'querystring.cursor', message: 'is not a cursor this API issued' }],
  });
}
