// The CSV statement: RFC 4180 (CRLF line ends, fields with a comma, quote or line break
// quoted, quotes doubled), UTF-8 with a byte-order mark so Excel reads the accents right, a
// header row, one row per line, amounts as plain decimals ("-1234.50": no grouping, no
// currency sign). Text cells that a spreadsheet would run as a formula (= + - @ tab CR at the
// start) are prefixed with an apostrophe (OWASP "CSV injection"); numbers are never touched.
import { formatAmount } from '../../platform/money.js';
import type { Statement } from './service.js';

export const CSV_HEADER = [
  'Date',
  'Type',
  'Description',
  'Category',
  'Counterparty',
  'Reference',
  'Amount',
  'Balance',
  'Currency',
] as const;

const BOM = '\uFEFF';
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A text cell a spreadsheet must show as text, never evaluate. */
export function csvText(value: string | null): string {
  if (value === null) return '';
  return csvField(FORMULA_START.test(value) ? `'${value}` : value);
}

export function statementCsv(s: Statement): string {
  const rows: string[] = [CSV_HEADER.join(',')];
  const money = (v: bigint) => formatAmount(v, s.exponent);
  for (const l of s.lines) {
    rows.push(
      [
        l.date,
        csvText(l.type),
        csvText(l.description),
        csvText(l.category),
        csvText(l.counterparty),
        csvText(l.reference),
        money(l.amount),
        money(l.balance),
        s.account.currency,
      ].join(','),
    );
  }
  return `${BOM}${rows.join('\r\n')}\r\n`;
}
