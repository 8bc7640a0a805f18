// Where a request carries the NUL character: strings and keys at any depth, arrays included.
import { describe, expect, it } from 'vitest';
import { pathOfNul } from './no-nul.js';

describe('pathOfNul', () => {
  it('finds nothing in values without one', () => {
    for (const v of [undefined, null, 0, true, 'text', ['a', 'b'], { a: { b: ['c', 1, null] } }]) {
      expect(pathOfNul(v, 'body')).toBeUndefined();
    }
  });

  it('names the first string or key that holds one', () => {
    expect(pathOfNul('a\u0000', 'query')).toBe('query');
    expect(pathOfNul({ a: 'ok', b: { c: ['x', 'y\u0000'] } }, 'body')).toBe('body.b.c[1]');
    expect(pathOfNul({ ['k\u0000']: 'v' }, 'body')).toBe('body');
    expect(pathOfNul([{ a: 'ok' }, { d: '\u0000' }], 'body')).toBe('body[1].d');
  });

  it('treats the escaped text "\\u0000" as the ordinary characters it is', () => {
    expect(pathOfNul({ description: '\\u0000' }, 'body')).toBeUndefined();
  });
});
