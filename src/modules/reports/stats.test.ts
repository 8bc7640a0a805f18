import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divRoundHalfEven, percentOf } from './stats.js';

describe('divRoundHalfEven', () => {
  it.each([
    [10n, 4n, 2n], // 2.5 → 2
    [14n, 4n, 4n], // 3.5 → 4
    [11n, 4n, 3n], // 2.75 → 3
    [9n, 4n, 2n], // 2.25 → 2
    [-10n, 4n, -2n],
    [-14n, 4n, -4n],
    [-11n, 4n, -3n],
    [10n, -4n, -2n],
    [0n, 7n, 0n],
    [7n, 7n, 1n],
    [1n, 3n, 0n],
    [2n, 3n, 1n],
    [5n, 2n, 2n],
    [15n, 2n, 8n],
  ])('%d / %d = %d', (a, b, q) => expect(divRoundHalfEven(a, b)).toBe(q));

  it('is the nearest integer, ties to even, for any operands', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        (a, b) => {
          const q = divRoundHalfEven(a, b);
          const err = a * 2n - q * 2n * b; // 2(a - q·b), |…| ≤ b
          expect(err <= b && err >= -b).toBe(true);
          if (err === b || err === -b) expect(q % 2n).toBe(0n);
        },
      ),
    );
  });

  it('refuses division by zero', () => expect(() => divRoundHalfEven(1n, 0n)).toThrow(RangeError));
});

describe('percentOf', () => {
  it('gives two decimals, half-even', () => {
    expect(percentOf(1n, 3n)).toBe('33.33');
    expect(percentOf(2n, 3n)).toBe('66.67');
    expect(percentOf(1n, 8n)).toBe('12.50');
    expect(percentOf(1n, 80000n)).toBe('0.00'); // 0.00125 → 0.00
    expect(percentOf(3n, 80000n)).toBe('0.00'); // 0.00375 → 0.00 (0.375 hundredths)
    expect(percentOf(5n, 10000n)).toBe('0.05');
    expect(percentOf(5n, 5n)).toBe('100.00');
    expect(percentOf(0n, 0n)).toBe('0.00');
  });
});
