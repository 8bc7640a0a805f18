// Where a request carries text PostgreSQL cannot store: the NUL character or an unpaired
// surrogate, in strings and keys at any depth, arrays included.
import { describe, expect, it } from 'vitest';
import { pathOfUnstorableText } from './storable-text.js';

describe('pathOfUnstorableText', () => {
  it('finds nothing in ordinary values, non-ASCII and paired surrogates (emoji) included', () => {
    for (const v of [
      undefined,
      null,
      0,
      true,
      'text',
      'Zoë 😀 日本',
      ['a', 'b'],
      { a: { b: ['c', 1, null] } },
    ]) {
      expect(pathOfUnstorableText(v, 'body')).toBeUndefined();
    }
  });

  it('names the first string or key that holds a NUL', () => {
    expect(pathOfUnstorableText('a\u0000', 'query')).toBe('query');
    expect(pathOfUnstorableText({ a: 'ok', b: { c: ['x', 'y\u0000'] } }, 'body')).toBe('body.b.c[1]');
    expect(pathOfUnstorableText({ ['k\u0000']: 'v' }, 'body')).toBe('body');
    expect(pathOfUnstorableText([{ a: 'ok' }, { d: '\u0000' }], 'body')).toBe('body[1].d');
  });

  it('names a string with an unpaired high or low surrogate', () => {
    expect(pathOfUnstorableText({ name: 'x\ud800' }, 'body')).toBe('body.name');
    expect(pathOfUnstorableText({ name: '\udc00x' }, 'body')).toBe('body.name');
    expect(pathOfUnstorableText({ name: '\ud800\ud800\udc00' }, 'body')).toBe('body.name');
    expect(pathOfUnstorableText({ name: '\ud83d\ude00' }, 'body')).toBeUndefined();
  });

  it('treats the escaped text "\\u0000" as the ordinary characters it is', () => {
    expect(pathOfUnstorableText({ description: '\\u0000' }, 'body')).toBeUndefined();
  });

  it('walks half a million levels of nesting without overflowing the stack', () => {
    const depth = 500_000;
    const deep = JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;
    expect(pathOfUnstorableText(deep, 'body')).toBeUndefined();
    const withNul = JSON.parse('[{"a":'.repeat(1000) + '"\\u0000"' + '}]'.repeat(1000)) as unknown;
    expect(pathOfUnstorableText(withNul, 'body')).toBe(`body${'[0].a'.repeat(1000)}`);
  });
});
