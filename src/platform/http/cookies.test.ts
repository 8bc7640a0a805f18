import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie } from './cookies.js';

describe('cookies', () => {
  it('parses a Cookie header, first value wins', () => {
    expect(parseCookies('a=1; b="two"; a=3; bad; =x')).toEqual({ a: '1', b: 'two' });
    expect(parseCookies(undefined)).toEqual({});
  });

  it('serializes with the security attributes', () => {
    expect(
      serializeCookie('cb_access', 'abc.def', { httpOnly: true, secure: true, maxAgeSeconds: 900 }),
    ).toBe('cb_access=abc.def; Path=/; Max-Age=900; HttpOnly; Secure; SameSite=Strict');
    expect(serializeCookie('x', '', { maxAgeSeconds: 0 })).toContain('Expires=Thu, 01 Jan 1970');
    expect(() => serializeCookie('x', 'a;b')).toThrow();
  });
});
