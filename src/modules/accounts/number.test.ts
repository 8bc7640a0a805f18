import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateAccountNumber, isValidAccountNumber, luhnCheckDigit, maskAccountNumber } from './number.js';

describe('account numbers', () => {
  it('computes the Luhn check digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook example 79927398713
  });

  it('generates valid 12-digit numbers', () => {
    for (let i = 0; i < 200; i++) {
      const n = generateAccountNumber();
      expect(n).toMatch(/^[1-9][0-9]{11}$/);
      expect(isValidAccountNumber(n)).toBe(true);
    }
  });

  it('rejects any single mistyped digit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const n = generateAccountNumber();
        const wrong = n.slice(0, pos) + String((Number(n[pos]) + delta) % 10) + n.slice(pos + 1);
        expect(isValidAccountNumber(wrong)).toBe(false);
      }),
    );
  });

  it('rejects wrong lengths and non-digits', () => {
    expect(isValidAccountNumber('12345')).toBe(false);
    expect(isValidAccountNumber('12345678901a')).toBe(false);
  });

  it('masks all but the last four digits', () => {
    expect(maskAccountNumber('123456789012')).toBe('****9012');
  });
});
