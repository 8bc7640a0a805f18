import { describe, expect, it } from 'vitest';
import { csvField, csvText } from './csv.js';

describe('CSV fields', () => {
  it('quotes only what RFC 4180 requires, doubling quotes', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField('')).toBe('');
  });

  it('never lets a spreadsheet evaluate text as a formula', () => {
    expect(csvText('=1+1')).toBe("'=1+1");
    expect(csvText('+44 20')).toBe("'+44 20");
    expect(csvText('-rent')).toBe("'-rent");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText('=HYPERLINK("x","y")')).toBe('"\'=HYPERLINK(""x"",""y"")"');
    expect(csvText('Rent, March')).toBe('"Rent, March"');
    expect(csvText(null)).toBe('');
  });
});
