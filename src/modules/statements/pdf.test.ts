import { describe, expect, it } from 'vitest';
import { groupedAmount, planPages, rowsPerPage, toWinAnsiText } from './pdf.js';

describe('planPages', () => {
  const cap = rowsPerPage;

  it('puts every line on exactly one page, in order, with the totals last', () => {
    for (const n of [
      0,
      1,
      cap.first - 3,
      cap.first - 2,
      cap.first,
      cap.first + 1,
      cap.first + cap.other,
      5000,
    ]) {
      const pages = planPages(n);
      expect(pages[0]!.start).toBe(0);
      for (let i = 1; i < pages.length; i++) expect(pages[i]!.start).toBe(pages[i - 1]!.end);
      expect(pages.at(-1)!.end).toBe(n);
      expect(pages.filter((p) => p.totals)).toEqual([pages.at(-1)]);
      pages.forEach((p, i) => expect(p.end - p.start).toBeLessThanOrEqual(i === 0 ? cap.first : cap.other));
    }
  });

  it('moves the totals to a page of their own when the last page is full', () => {
    expect(planPages(cap.first - 3)).toHaveLength(1);
    expect(planPages(cap.first - 2)).toEqual([
      { start: 0, end: cap.first - 2, totals: false },
      { start: cap.first - 2, end: cap.first - 2, totals: true },
    ]);
    expect(planPages(0)).toEqual([{ start: 0, end: 0, totals: true }]);
  });
});

describe('PDF text', () => {
  it('groups thousands', () => {
    expect(groupedAmount(123456789n, 2)).toBe('1,234,567.89');
    expect(groupedAmount(-100000n, 2)).toBe('-1,000.00');
    expect(groupedAmount(5n, 2)).toBe('0.05');
    expect(groupedAmount(1000n, 0)).toBe('1,000');
    expect(groupedAmount(1234567n, 3)).toBe('1,234.567');
  });

  it('keeps what WinAnsi can show and replaces the rest', () => {
    expect(toWinAnsiText('Café – “€5” Œuvre')).toBe('Café – “€5” Œuvre');
    expect(toWinAnsiText('日本 🙂\tx')).toBe('?? ? x');
  });
});
