import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatAmount, parseAmount } from './money.js';

describe('parseAmount', () => {
  it.each([
    ['1234.50', 2, 123450n],
    ['0.01', 2, 1n],
    ['7', 2, 700n],
    ['1000', 0, 1000n],
    ['1.234', 3, 1234n],
    [12.5, 2, 1250n],
    ['999999999999999.99', 2, 99999999999999999n],
  ])('accepts %j with %i decimals', (input, exp, minor) => {
    expect(parseAmount(input, exp)).toEqual({ ok: true, minor });
  });

  it.each([
    ['-1.00', 'negative'],
    ['0', 'not_positive'],
    ['0.00', 'not_positive'],
    ['NaN', 'not_a_decimal'],
    ['1e3', 'not_a_decimal'],
    ['1.001', 'too_many_decimals'],
    ['1234567890123456', 'too_many_integer_digits'],
    ['01.00', 'not_a_decimal'],
    ['1.', 'not_a_decimal'],
    ['.5', 'not_a_decimal'],
    [' 1.00', 'not_a_decimal'],
    ['1,00', 'not_a_decimal'],
    ['+1', 'not_a_decimal'],
    ['', 'not_a_decimal'],
    [null, 'not_a_decimal'],
    [true, 'not_a_decimal'],
    [Number.NaN, 'not_a_decimal'],
    [Infinity, 'not_a_decimal'],
    [0.1 + 0.2, 'too_many_decimals'],
    [1e21, 'too_many_integer_digits'],
  ])('refuses %j (%s)', (input, problem) => {
    expect(parseAmount(input, 2)).toEqual({ ok: false, problem });
  });

  it('refuses decimals for a zero-exponent currency', () => {
    expect(parseAmount('10.5', 0)).toEqual({ ok: false, problem: 'too_many_decimals' });
  });

  it('round-trips every bigint through format and parse', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 17n - 1n }),
        fc.integer({ min: 0, max: 3 }),
        (minor, exp) => {
          fc.pre(minor < 10n ** BigInt(15 + exp));
          expect(parseAmount(formatAmount(minor, exp), exp)).toEqual({ ok: true, minor });
        },
      ),
    );
  });
});

describe('formatAmount', () => {
  it.each([
    [0n, 2, '0.00'],
    [5n, 2, '0.05'],
    [-5n, 2, '-0.05'],
    [123450n, 2, '1234.50'],
    [1000n, 0, '1000'],
    [1n, 3, '0.001'],
  ])('formats %s with %i decimals as %s', (minor, exp, text) => {
    expect(formatAmount(minor, exp)).toBe(text);
  });
});
