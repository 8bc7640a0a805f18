import { describe, expect, it } from 'vitest';
import { timestamptzToIso } from './pool.js';

describe('timestamptzToIso', () => {
  it('gives what new Date(v).toISOString() gives, for UTC values with 0 to 6 fraction digits', () => {
    for (let i = 0; i < 5000; i++) {
      const base = new Date(Math.floor(Math.random() * 8e12)).toISOString().slice(0, 19).replace('T', ' ');
      const digits = i % 7;
      const fraction =
        digits === 0 ? '' : `.${String(Math.floor(Math.random() * 10 ** digits)).padStart(digits, '0')}`;
      const v = `${base}${fraction}+00`;
      expect(timestamptzToIso(v), v).toBe(new Date(v).toISOString());
    }
  });

  it('truncates microseconds to milliseconds', () => {
    expect(timestamptzToIso('2026-11-21 14:53:06.999999+00')).toBe('2026-11-21T14:53:06.999Z');
    expect(timestamptzToIso('2026-11-21 14:53:06.1+00')).toBe('2026-11-21T14:53:06.100Z');
    expect(timestamptzToIso('2026-11-21 14:53:06+00')).toBe('2026-11-21T14:53:06.000Z');
  });

  it('converts other offsets through Date', () => {
    expect(timestamptzToIso('2026-11-21 14:53:06.123+05:30')).toBe('2026-11-21T09:23:06.123Z');
    expect(timestamptzToIso('2026-11-21 01:00:00-02')).toBe('2026-11-21T03:00:00.000Z');
  });
});
