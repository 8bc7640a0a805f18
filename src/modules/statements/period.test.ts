// Periods: dates are whole UTC days, date-times exact to the microsecond, and every malformed,
// impossible, reversed or too long period is a 400.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BankError } from '../../platform/errors.js';
import { daysOf, microsToIso, parseInstant, resolvePeriod } from './period.js';

const opts = { maxDays: 366, defaultFrom: 'month' as const, now: new Date('2024-03-15T12:00:00Z') };

function fails(input: { from?: string; to?: string }, field: string, message: RegExp) {
  try {
    resolvePeriod(input, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(BankError);
    const e = err as BankError;
    expect(e.code).toBe('INVALID_REQUEST');
    expect(e.errors?.[0]?.path).toBe(`querystring.${field}`);
    expect(e.errors?.[0]?.message).toMatch(message);
    return;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('resolvePeriod', () => {
  it('takes dates as whole UTC days, both inclusive', () => {
    const p = resolvePeriod({ from: '2024-01-01', to: '2024-01-31' }, opts);
    expect(p.from).toBe('2024-01-01T00:00:00.000000Z');
    expect(p.to).toBe('2024-01-31T23:59:59.999999Z');
    expect([p.firstDay, p.lastDay, p.wholeDays]).toEqual(['2024-01-01', '2024-01-31', true]);
    expect(daysOf(p)).toHaveLength(31);
  });

  it('takes date-times exactly, with zones and microseconds', () => {
    const p = resolvePeriod({ from: '2024-01-01T10:00:00.123456+02:00', to: '2024-01-02T00:00Z' }, opts);
    expect(p.from).toBe('2024-01-01T08:00:00.123456Z');
    expect(p.to).toBe('2024-01-02T00:00:00.000000Z');
    expect(p.wholeDays).toBe(false);
    expect(resolvePeriod({ from: '2024-01-01T00:00:00-05:30', to: '2024-01-01T05:30:00Z' }, opts).from).toBe(
      '2024-01-01T05:30:00.000000Z',
    );
  });

  it('defaults to the current month up to today, or to N days', () => {
    const p = resolvePeriod({}, opts);
    expect([p.from, p.to]).toEqual(['2024-03-01T00:00:00.000000Z', '2024-03-15T23:59:59.999999Z']);
    const q = resolvePeriod({}, { ...opts, defaultFrom: 30 });
    expect([q.firstDay, q.lastDay, daysOf(q).length]).toEqual(['2024-02-15', '2024-03-15', 30]);
    expect(resolvePeriod({ to: '2023-02-10' }, opts).from).toBe('2023-02-01T00:00:00.000000Z');
  });

  it('allows exactly the maximum and refuses a microsecond more', () => {
    expect(resolvePeriod({ from: '2024-01-01', to: '2024-12-31' }, opts).lastDay).toBe('2024-12-31');
    fails({ from: '2023-01-01', to: '2024-01-02' }, 'to', /at most 366 days/);
    expect(
      resolvePeriod({ from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, { ...opts, maxDays: 367 })
        .to,
    ).toBe('2025-01-01T00:00:00.000000Z');
    fails({ from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00.000001Z' }, 'to', /at most 366 days/);
    expect(resolvePeriod({ from: '2024-01-01T00:00:00Z', to: '2024-12-31T23:59:59.999999Z' }, opts).to).toBe(
      '2024-12-31T23:59:59.999999Z',
    );
  });

  it('refuses from after to', () => {
    fails({ from: '2024-02-02', to: '2024-02-01' }, 'from', /after to/);
    fails({ from: '2024-02-01T10:00:00.000001Z', to: '2024-02-01T10:00:00Z' }, 'from', /after to/);
    expect(resolvePeriod({ from: '2024-02-01T10:00:00Z', to: '2024-02-01T10:00:00Z' }, opts).from).toBe(
      '2024-02-01T10:00:00.000000Z',
    );
  });

  it.each([
    ['2024-02-30', /calendar date/],
    ['2023-02-29', /calendar date/],
    ['2024-13-01', /calendar date/],
    ['1969-12-31', /between 1970 and 9999/],
    ['2024-1-1', /ISO date/],
    ['20240101', /ISO date/],
    ['yesterday', /ISO date/],
    ['2024-01-01T10:00:00', /ISO date/], // no zone: ambiguous
    ['2024-01-01T24:00:00Z', /time of day/],
    ['2024-01-01T10:60Z', /time of day/],
    ['2024-01-01T10:00:00.1234567Z', /ISO date/],
    ['2024-01-01T10:00:00+25:00', /zone offset/],
    ['', /ISO date/],
    [' 2024-01-01', /ISO date/],
  ])('refuses from=%s', (from, message) => fails({ from, to: '2024-03-01' }, 'from', message));

  it('round-trips any instant through ISO text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 253_402_300_799_999_999n }), (micros) => {
        const iso = microsToIso(micros);
        const back = parseInstant(iso, 'start');
        expect(back).toEqual({ ok: true, micros });
      }),
    );
  });
});
