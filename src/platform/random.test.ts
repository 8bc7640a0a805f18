import { describe, expect, it } from 'vitest';
import { randomHex } from './random.js';

describe('randomHex', () => {
  it('gives lower-case hexadecimal of the length asked for', () => {
    for (const bytes of [1, 5, 8, 4096])
      expect(randomHex(bytes)).toMatch(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
  });

  it('never hands out the same bytes twice, across refills of its pool', () => {
    // 20,000 draws of 8 bytes use the 4 KiB pool 39 times over; a repeat would mean reused bytes
    // (the odds of two random 64-bit values meeting among 20,000 are about 1 in 10^11).
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(randomHex(8));
    expect(seen.size).toBe(20_000);
  });

  it('refuses sizes it cannot serve from its pool', () => {
    for (const bad of [0, -1, 1.5, 4097]) expect(() => randomHex(bad)).toThrow(RangeError);
  });
});
