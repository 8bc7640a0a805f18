import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isUuid, newId } from './ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId (UUIDv7)', () => {
  it('is a version 7, variant 10 UUID that the API schemas and isUuid accept', () => {
    for (let i = 0; i < 1000; i++) {
      const id = newId();
      expect(id).toMatch(V7);
      expect(isUuid(id)).toBe(true);
      expect(z.uuid().safeParse(id).success).toBe(true);
    }
  });

  it('starts with its time: 48 bits of Unix milliseconds', () => {
    for (const at of [0, 1, Date.UTC(2026, 10, 22, 3, 4, 5, 678), 2 ** 48 - 1]) {
      const hex = newId(at).replace(/-/g, '').slice(0, 12);
      expect(parseInt(hex, 16)).toBe(at);
    }
    const before = Date.now();
    const t = parseInt(newId().replace(/-/g, '').slice(0, 12), 16);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('sorts by time: a later millisecond gives a greater id (as text and as PostgreSQL compares uuids, byte by byte)', () => {
    const base = Date.UTC(2026, 10, 22);
    const ids = Array.from({ length: 500 }, (_, i) => newId(base + i * 7));
    expect([...ids].sort()).toEqual(ids);
  });

  it('is random after the time: ids of one millisecond differ, and every variant digit occurs', () => {
    const at = Date.UTC(2026, 10, 22);
    const ids = Array.from({ length: 10_000 }, () => newId(at));
    expect(new Set(ids).size).toBe(10_000);
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
    // rand_a (the three digits after the version) and the last group vary too.
    expect(new Set(ids.map((id) => id.slice(15, 18))).size).toBeGreaterThan(3000);
    expect(new Set(ids.map((id) => id.slice(24))).size).toBe(10_000);
  });

  it('refuses a time it cannot encode', () => {
    for (const bad of [-1, 1.5, 2 ** 48, Number.NaN]) expect(() => newId(bad)).toThrow(RangeError);
  });
});
