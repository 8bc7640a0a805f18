import { describe, expect, it } from 'vitest';
import { BankError } from '../errors.js';
import { isCalendarDate, isTimestamp } from '../time.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const ID = '3f0b6c8e-1d2a-4b5c-9d7e-0a1b2c3d4e5f';

describe('cursors', () => {
  it('round-trips a position', () => {
    expect(decodeCursor(encodeCursor('2026-11-21 12:00:00.123456+00', ID), 'timestamp')).toEqual({
      key: '2026-11-21 12:00:00.123456+00',
      id: ID,
    });
    expect(decodeCursor(encodeCursor('ada lovelace', ID), 'text')).toEqual({ key: 'ada lovelace', id: ID });
  });

  it.each([
    'garbage',
    '',
    encodeCursor('2026-02-30T00:00:00.000000Z', ID),
    encodeCursor('2026-13-01T00:00:00Z', ID),
    encodeCursor('2026-11-21T24:00:00Z', ID),
    encodeCursor('2026-11-21T12:00:00Z', 'not-a-uuid'),
    Buffer.from('["a","b","c"]').toString('base64url'),
    Buffer.from('2026-11-21T12:00:00Z|' + ID).toString('base64url'),
  ])('refuses %j with INVALID_REQUEST', (cursor) => {
    try {
      decodeCursor(cursor, 'timestamp');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BankError);
      expect((e as BankError).code).toBe('INVALID_REQUEST');
    }
  });

  it('knows real instants from look-alikes', () => {
    expect(isTimestamp('2024-02-29T23:59:59.999999Z')).toBe(true);
    expect(isTimestamp('2026-11-21 12:00:00+05:30')).toBe(true);
    expect(isTimestamp('2025-02-29T00:00:00Z')).toBe(false);
    expect(isTimestamp('2026-11-21T12:60:00Z')).toBe(false);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-00-10')).toBe(false);
    expect(isCalendarDate('0000-01-01')).toBe(false);
    expect(isTimestamp('0000-06-01T00:00:00Z')).toBe(false);
    expect(isCalendarDate('0001-01-01')).toBe(true);
  });
});
