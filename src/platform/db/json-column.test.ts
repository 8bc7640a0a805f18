import { describe, expect, it } from 'vitest';
import { jsonColumn } from './json-column.js';

describe('jsonColumn', () => {
  it('is one JSON array with one element per row, in order; undefined becomes null', () => {
    expect(JSON.parse(jsonColumn([{ a: 1 }, null, undefined, ['x'], 'say "hi" \\ bye']))).toEqual([
      { a: 1 },
      null,
      null,
      ['x'],
      'say "hi" \\ bye',
    ]);
  });

  it('keeps the row count for an empty batch', () => {
    expect(jsonColumn([])).toBe('[]');
  });
});
