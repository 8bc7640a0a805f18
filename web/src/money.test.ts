// Unit tests of the portal's money helpers (web/src/money.ts): formatting from decimal strings,
// the client-side amount rules that mirror the server's, and BigInt-only sums and comparisons.
import { describe, expect, it } from 'vitest';
import {
  chartLabel,
  checkAmount,
  compareAmounts,
  formatMoney,
  fromMinor,
  isNegative,
  minorDigits,
  sumAmounts,
  toChartNumber,
  toMinor,
} from './money';

describe('formatMoney', () => {
  it('formats per currency from the string, padding and never rounding', () => {
    expect(formatMoney('1234.5', 'USD', { locale: 'en-US' })).toBe('$1,234.50');
    expect(formatMoney('1234.50', 'EUR', { locale: 'de-DE' })).toBe('1.234,50\u00a0€');
    expect(formatMoney('1000', 'JPY', { locale: 'en-US' })).toBe('¥1,000');
    expect(formatMoney('1.234', 'BHD', { locale: 'en-US', display: 'code' })).toBe('BHD\u00a01.234');
    expect(formatMoney('0.10', 'USD', { locale: 'en-US' })).toBe('$0.10');
  });

  it('keeps digits a float would lose', () => {
    expect(formatMoney('999999999999999.99', 'USD', { locale: 'en-US' })).toBe('$999,999,999,999,999.99');
    expect(formatMoney('0.30', 'USD', { locale: 'en-US' })).toBe('$0.30');
  });

  it('places the minus sign, also for amounts under one unit', () => {
    expect(formatMoney('-12.30', 'USD', { locale: 'en-US' })).toBe('-$12.30');
    expect(formatMoney('-0.50', 'USD', { locale: 'en-US' })).toBe('-$0.50');
    expect(formatMoney('-0.00', 'USD', { locale: 'en-US' })).toBe('$0.00');
    expect(formatMoney('5.00', 'USD', { locale: 'en-US', signed: true })).toBe('+$5.00');
  });

  it('returns anything that is not a decimal string unchanged', () => {
    expect(formatMoney('abc', 'USD')).toBe('abc');
    expect(formatMoney('1e5', 'USD')).toBe('1e5');
  });
});

describe('checkAmount (mirrors the server)', () => {
  it('accepts positive decimals within the currency digits', () => {
    expect(checkAmount('12.34', 'USD')).toEqual({ ok: true, amount: '12.34' });
    expect(checkAmount(' 7 ', 'USD')).toEqual({ ok: true, amount: '7' });
    expect(checkAmount('1000', 'JPY')).toEqual({ ok: true, amount: '1000' });
    expect(checkAmount('1.234', 'BHD')).toEqual({ ok: true, amount: '1.234' });
    expect(checkAmount('999999999999999', 'USD').ok).toBe(true);
  });

  it.each([
    ['', 'Enter an amount'],
    ['0', 'greater than zero'],
    ['0.00', 'greater than zero'],
    ['-5', 'negative'],
    ['1e3', 'digits'],
    ['12,50', 'digits'],
    ['01.5', 'digits'],
    ['.5', 'digits'],
    ['NaN', 'digits'],
    ['1.234', 'at most 2 decimals'],
    ['1000000000000000', 'at most 15 digits'],
  ])('refuses %j', (input, message) => {
    const r = checkAmount(input, 'USD');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain(message);
  });

  it('knows currencies without and with three minor digits', () => {
    expect(checkAmount('1.5', 'JPY')).toEqual({ ok: false, message: 'JPY amounts have no decimals' });
    expect(checkAmount('1.2345', 'KWD').ok).toBe(false);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
    expect(minorDigits('USD')).toBe(2);
  });
});

describe('minor units', () => {
  it('converts both ways exactly', () => {
    expect(toMinor('12.3', 'USD')).toBe(1230n);
    expect(toMinor('-0.05', 'USD')).toBe(-5n);
    expect(fromMinor(5n, 'USD')).toBe('0.05');
    expect(fromMinor(-1230n, 'USD')).toBe('-12.30');
    expect(fromMinor(1234n, 'BHD')).toBe('1.234');
    expect(fromMinor(1000n, 'JPY')).toBe('1000');
  });

  it('sums and compares without floats', () => {
    expect(sumAmounts(['0.10', '0.20'], 'USD')).toBe('0.30');
    expect(sumAmounts(['999999999999999.99', '0.01'], 'USD')).toBe('1000000000000000.00');
    expect(sumAmounts([], 'USD')).toBe('0.00');
    expect(compareAmounts('10.00', '9.99', 'USD')).toBe(1);
    expect(compareAmounts('0.1', '0.10', 'USD')).toBe(0);
    expect(isNegative('-0.01')).toBe(true);
    expect(isNegative('-0.00')).toBe(false);
  });

  it('gives charts integer positions and labels them from the string form', () => {
    expect(toChartNumber('12.34', 'USD')).toBe(1234);
    expect(chartLabel(1234, 'USD', { locale: 'en-US' })).toBe('$12.34');
  });
});
