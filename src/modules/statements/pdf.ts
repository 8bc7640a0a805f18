// The PDF statement (pdfkit): bank and customer header, masked account number, period, a
// summary, then a table of every line — its header repeated on each page — with totals after
// the last line and "Page n of m" on every page. Text is real text (standard Helvetica,
// WinAnsi), so it can be searched, copied and extracted.
//
// Speed: pdfkit's text() measures and kerns every glyph, which costs ~0.1 ms a cell, 10–20 s
// for a 100,000-line statement. The table is therefore written as plain PDF text operators
// (one BT … ET per row) with widths from a per-font table measured once through pdfkit; the
// free-form header uses pdfkit's text(). Rows have a fixed height and cells never wrap (too
// long a description is cut with an ellipsis), so the page plan — and with it m in "Page n of
// m" — is known before the first page is drawn.
import PDFDocument from 'pdfkit';
import { formatAmount } from '../../platform/money.js';
import type { Address } from '../customers/schemas.js';
import type { Statement } from './service.js';

export const BANK_NAME = 'Corebank';

// ---- geometry (points; A4 is 595.28 × 841.89) --------------------------------------------
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const LEFT = 40;
const RIGHT = PAGE_W - 40;
const ROW_H = 12;
const HEAD_H = 16;
const FONT_SIZE = 8;
const FIRST_TABLE_TOP = 262;
const OTHER_TABLE_TOP = 64;
const TABLE_BOTTOM = 792;
const FOOTER_Y = 812;
/** Rows' worth of space the totals need after the last line. */
const TOTALS_ROWS = 3;

export const rowsPerPage = {
  first: Math.floor((TABLE_BOTTOM - FIRST_TABLE_TOP - HEAD_H) / ROW_H),
  other: Math.floor((TABLE_BOTTOM - OTHER_TABLE_TOP - HEAD_H) / ROW_H),
};

interface Column {
  title: string;
  x: number;
  width: number;
  align: 'left' | 'right';
}

const columns: Column[] = [
  { title: 'Date', x: LEFT, width: 52, align: 'left' },
  { title: 'Description', x: 96, width: 196, align: 'left' },
  { title: 'Type', x: 296, width: 62, align: 'left' },
  { title: 'Money in', x: 360, width: 62, align: 'right' },
  { title: 'Money out', x: 426, width: 62, align: 'right' },
  { title: 'Balance', x: 492, width: RIGHT - 492, align: 'right' },
];

export interface PagePlan {
  /** Lines [start, end) drawn on this page. */
  start: number;
  end: number;
  /** The totals follow the lines on this page. */
  totals: boolean;
}

/**
 * Which lines go on which page: as many as fit, the totals after the last line, and a page of
 * their own for the totals when the last page is full. An empty statement still has one row
 * ("No transactions in this period").
 */
export function planPages(lineCount: number, capacity = rowsPerPage): PagePlan[] {
  const pages: PagePlan[] = [];
  let start = 0;
  for (;;) {
    const cap = pages.length === 0 ? capacity.first : capacity.other;
    const end = Math.min(lineCount, start + cap);
    if (end < lineCount) {
      pages.push({ start, end, totals: false });
      start = end;
      continue;
    }
    const used = Math.max(end - start, lineCount === 0 ? 1 : 0);
    if (used + TOTALS_ROWS <= cap) {
      pages.push({ start, end, totals: true });
    } else {
      pages.push({ start, end, totals: false });
      pages.push({ start: end, end, totals: true });
    }
    return pages;
  }
}

// ---- WinAnsi text ------------------------------------------------------------------------
// The standard PDF fonts speak WinAnsiEncoding: Latin-1 plus these characters in 0x80–0x9F.
// prettier-ignore
const WIN_ANSI_EXTRA = new Map<number, number>([
  [0x20ac, 0x80], [0x201a, 0x82], [0x0192, 0x83], [0x201e, 0x84], [0x2026, 0x85], [0x2020, 0x86],
  [0x2021, 0x87], [0x02c6, 0x88], [0x2030, 0x89], [0x0160, 0x8a], [0x2039, 0x8b], [0x0152, 0x8c],
  [0x017d, 0x8e], [0x2018, 0x91], [0x2019, 0x92], [0x201c, 0x93], [0x201d, 0x94], [0x2022, 0x95],
  [0x2013, 0x96], [0x2014, 0x97], [0x02dc, 0x98], [0x2122, 0x99], [0x0161, 0x9a], [0x203a, 0x9b],
  [0x0153, 0x9c], [0x017e, 0x9e], [0x0178, 0x9f],
]);

/** The WinAnsi byte of a character, or '?' for one the standard fonts cannot show. */
function winAnsiByte(codePoint: number): number {
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return WIN_ANSI_EXTRA.get(codePoint) ?? 0x3f;
}

/** Text the standard fonts can show: controls become spaces, anything else unknown '?'. */
export function toWinAnsiText(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    out += cp < 0x20 || cp === 0x7f ? ' ' : winAnsiByte(cp) === 0x3f && cp !== 0x3f ? '?' : ch;
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

interface FontHandle {
  id: string;
  ascender: number;
  ref(): unknown;
}

/** pdfkit's current font object: its resource name and reference, for raw text operators. */
function currentFont(doc: PDFKit.PDFDocument): FontHandle {
  const f = (doc as unknown as { _font?: Partial<FontHandle> })._font;
  if (!f || typeof f.id !== 'string' || typeof f.ascender !== 'number' || typeof f.ref !== 'function') {
    throw new Error('pdfkit: cannot read the current font (internal API changed)');
  }
  return f as FontHandle;
}

class RawFont {
  /** Advance width of each WinAnsi byte at size 1. */
  private readonly widths = new Float64Array(256);

  constructor(
    readonly handle: FontHandle,
    measure: (ch: string) => number,
  ) {
    for (let b = 0x20; b <= 0xff; b++) {
      if (b === 0x7f) continue;
      let ch = String.fromCharCode(b);
      for (const [cp, byte] of WIN_ANSI_EXTRA) if (byte === b) ch = String.fromCodePoint(cp);
      this.widths[b] = measure(ch);
    }
  }

  bytes(s: string): number[] {
    const out: number[] = [];
    for (const ch of s) {
      const cp = ch.codePointAt(0) ?? 0x3f;
      out.push(cp < 0x20 || cp === 0x7f ? 0x20 : winAnsiByte(cp));
    }
    return out;
  }

  width(bytes: number[], size: number): number {
    let w = 0;
    for (const b of bytes) w += this.widths[b] ?? 0;
    return w * size;
  }
}

const num = (v: number) => (Math.round(v * 100) / 100).toString();

/** Writes cells as PDF text operators: one BT … ET block per call. */
class CellWriter {
  private ops: string[] = [];

  constructor(private readonly doc: PDFKit.PDFDocument) {}

  /** A cell whose top is at y (pdfkit's coordinates), cut to the width or shrunk if a number. */
  cell(font: RawFont, text: string, x: number, y: number, width: number, align: 'left' | 'right'): void {
    let bytes = font.bytes(text);
    let size = FONT_SIZE;
    let w = font.width(bytes, size);
    if (w > width) {
      if (align === 'right') {
        size = (size * width) / w; // an amount is never cut: it is set smaller
        w = width;
      } else {
        const ellipsis = 0x85;
        const room = width - font.width([ellipsis], size);
        while (bytes.length > 0 && font.width(bytes, size) > room) bytes = bytes.slice(0, -1);
        bytes = [...bytes, ellipsis];
        w = font.width(bytes, size);
      }
    }
    if (bytes.length === 0) return;
    const left = align === 'right' ? x + width - w : x;
    const baseline = PAGE_H - y - (font.handle.ascender / 1000) * size;
    let hex = '';
    for (const b of bytes) hex += HEX[b];
    this.ops.push(`/${font.handle.id} ${num(size)} Tf 1 0 0 1 ${num(left)} ${num(baseline)} Tm <${hex}> Tj`);
  }

  /** Writes the cells gathered so far, over an optional shaded band. */
  flush(band?: { y: number; height: number; grey: number }): void {
    const shade = band
      ? `${band.grey} g ${num(LEFT - 2)} ${num(PAGE_H - band.y - band.height)} ${num(RIGHT - LEFT + 4)} ${num(band.height)} re f `
      : '';
    if (this.ops.length === 0 && !shade) return;
    // pdfkit draws every page y-down (its content starts with a flip); undo it for PDF's y-up.
    this.doc.addContent(`q 1 0 0 -1 0 ${PAGE_H} cm ${shade}0 g BT ${this.ops.join(' ')} ET Q`);
    this.ops = [];
  }
}

// ---- formatting --------------------------------------------------------------------------

/** 1234567.5 → "1,234,567.50" (minor units in, grouped decimal out). */
export function groupedAmount(minor: bigint, exponent: number): string {
  const plain = formatAmount(minor, exponent);
  const negative = plain.startsWith('-');
  const [whole = '', fraction] = (negative ? plain.slice(1) : plain).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

const titleCase = (s: string) => s.charAt(0) + s.slice(1).toLowerCase().replaceAll('_', ' ');

export function periodText(s: Statement): string {
  const p = s.period;
  if (p.wholeDays) return `${p.firstDay} to ${p.lastDay}`;
  return `${p.from.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} to ${p.to.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`;
}

function addressLines(a: Address | null): string[] {
  if (!a) return [];
  return [
    a.line1,
    ...(a.line2 ? [a.line2] : []),
    `${a.postalCode} ${a.city}${a.region ? `, ${a.region}` : ''}`,
    a.country,
  ];
}

// ---- the document ------------------------------------------------------------------------

export interface PdfOptions {
  /** Deflate the page contents (default true; tests may turn it off to read the text). */
  compress?: boolean;
}

export function statementPdf(s: Statement, opts: PdfOptions = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    compress: opts.compress ?? true,
    info: {
      Title: `${BANK_NAME} statement ${s.account.accountNumber} ${periodText(s)}`,
      Author: BANK_NAME,
      Subject: 'Account statement',
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const money = (v: bigint) => groupedAmount(v, s.exponent);
  const text = (t: string) => toWinAnsiText(t);
  const period = periodText(s);

  // Fonts: draw once with each, so pdfkit has registered them, then measure.
  doc.font('Helvetica-Bold').fontSize(20).text(BANK_NAME, LEFT, 40, { lineBreak: false });
  const bold = new RawFont(currentFont(doc), (ch) => doc.fontSize(1).widthOfString(ch));
  doc.font('Helvetica').fontSize(9);
  doc.text('Open-source core banking', LEFT, 64, { lineBreak: false });
  const regular = new RawFont(currentFont(doc), (ch) => doc.fontSize(1).widthOfString(ch));

  // Page 1 header: title, customer, account, summary.
  doc
    .font('Helvetica-Bold')
    .fontSize(14)
    .text('Account statement', 300, 42, { width: RIGHT - 300, align: 'right' });
  doc.font('Helvetica').fontSize(9).fillColor('#444444');
  doc.text(`Generated ${s.generatedAt.slice(0, 16).replace('T', ' ')} UTC`, 300, 62, {
    width: RIGHT - 300,
    align: 'right',
  });
  doc.fillColor('black').font('Helvetica-Bold').fontSize(10);
  doc.text(text(s.customer.fullName), LEFT, 104, { width: 240 });
  doc.font('Helvetica').fontSize(9);
  for (const line of addressLines(s.customer.address)) doc.text(text(line), { width: 240 });

  const facts: [string, string][] = [
    ['Account', s.account.accountNumber],
    ['Account type', titleCase(s.account.type)],
    ['Currency', s.account.currency],
    ['Period', period],
  ];
  if (s.account.nickname) facts.splice(1, 0, ['Nickname', text(s.account.nickname)]);
  let fy = 104;
  for (const [label, value] of facts) {
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor('#444444')
      .text(label, 320, fy, { width: 80, lineBreak: false });
    doc
      .fillColor('black')
      .font('Helvetica-Bold')
      .text(value, 400, fy, { width: RIGHT - 400 });
    fy = Math.max(fy + 14, doc.y + 3);
  }

  const boxTop = 196;
  const boxW = (RIGHT - LEFT) / 4;
  doc.rect(LEFT, boxTop, RIGHT - LEFT, 46).fillAndStroke('#f2f4f7', '#c8ced6');
  const summary: [string, bigint][] = [
    ['Opening balance', s.openingBalance],
    ['Money in', s.totalIn],
    ['Money out', s.totalOut],
    ['Closing balance', s.closingBalance],
  ];
  summary.forEach(([label, value], i) => {
    const x = LEFT + i * boxW + 8;
    doc
      .fillColor('#444444')
      .font('Helvetica')
      .fontSize(8)
      .text(label, x, boxTop + 8, { lineBreak: false });
    doc
      .fillColor('black')
      .font('Helvetica-Bold')
      .fontSize(11)
      .text(`${money(value)} ${s.account.currency}`, x, boxTop + 22, { width: boxW - 16, lineBreak: false });
  });

  // The table, page by page.
  const plan = planPages(s.lines.length);
  const cells = new CellWriter(doc);
  const register = () => {
    const fonts = doc.page.fonts as Record<string, unknown>;
    fonts[regular.handle.id] = regular.handle.ref();
    fonts[bold.handle.id] = bold.handle.ref();
  };

  const tableHeader = (top: number) => {
    for (const c of columns) cells.cell(bold, c.title, c.x, top + 4, c.width, c.align);
    cells.flush({ y: top, height: HEAD_H, grey: 0.88 });
  };

  plan.forEach((page, p) => {
    if (p > 0) {
      doc.addPage({ size: 'A4', margin: 0 });
      register();
      cells.cell(bold, BANK_NAME, LEFT, 36, 80, 'left');
      cells.cell(
        regular,
        `Account statement ${s.account.accountNumber}  ·  ${period}`,
        120,
        36,
        RIGHT - 120,
        'right',
      );
      cells.flush();
    }
    let y = p === 0 ? FIRST_TABLE_TOP : OTHER_TABLE_TOP;
    if (page.end > page.start || s.lines.length === 0) {
      tableHeader(y);
      y += HEAD_H;
    }
    if (s.lines.length === 0) {
      cells.cell(regular, 'No transactions in this period.', columns[1]!.x, y + 2, 300, 'left');
      cells.flush();
      y += ROW_H;
    }
    for (let i = page.start; i < page.end; i++) {
      const l = s.lines[i]!;
      cells.cell(regular, l.date.slice(0, 10), columns[0]!.x, y + 2, columns[0]!.width, 'left');
      cells.cell(regular, l.description, columns[1]!.x, y + 2, columns[1]!.width, 'left');
      cells.cell(regular, titleCase(l.type), columns[2]!.x, y + 2, columns[2]!.width, 'left');
      const c = l.amount > 0n ? columns[3]! : columns[4]!;
      cells.cell(regular, money(l.amount < 0n ? -l.amount : l.amount), c.x, y + 2, c.width, 'right');
      cells.cell(regular, money(l.balance), columns[5]!.x, y + 2, columns[5]!.width, 'right');
      cells.flush((i - page.start) % 2 === 1 ? { y, height: ROW_H, grey: 0.96 } : undefined);
      y += ROW_H;
    }
    if (page.totals) {
      y += 4;
      doc
        .moveTo(LEFT - 2, y)
        .lineTo(RIGHT + 2, y)
        .lineWidth(0.75)
        .strokeColor('#888888')
        .stroke();
      y += 4;
      cells.cell(bold, 'Totals', columns[1]!.x, y + 2, columns[1]!.width, 'left');
      cells.cell(bold, money(s.totalIn), columns[3]!.x, y + 2, columns[3]!.width, 'right');
      cells.cell(bold, money(s.totalOut), columns[4]!.x, y + 2, columns[4]!.width, 'right');
      cells.flush();
      y += ROW_H;
      cells.cell(bold, 'Closing balance', columns[1]!.x, y + 2, columns[1]!.width, 'left');
      cells.cell(bold, `${money(s.closingBalance)}`, columns[5]!.x, y + 2, columns[5]!.width, 'right');
      cells.flush({ y, height: ROW_H, grey: 0.92 });
    }
    cells.cell(
      regular,
      `${BANK_NAME}  ·  ${s.account.accountNumber}  ·  ${s.account.currency}`,
      LEFT,
      FOOTER_Y,
      300,
      'left',
    );
    cells.cell(regular, `Page ${p + 1} of ${plan.length}`, RIGHT - 120, FOOTER_Y, 120, 'right');
    cells.flush();
  });

  doc.end();
  return done;
}
