// Readers for what statements produce, written independently of the code that writes them: an
// RFC 4180 parser, and a PDF text extractor (inflate each content stream, decode the strings
// of the text operators Tj and TJ).
import { inflateSync } from 'node:zlib';

/** RFC 4180: fields split by commas, records by CRLF; quoted fields may hold , " CR LF. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r')
          throw new Error(`text after a closing quote at ${i}`);
      } else {
        field += c;
        i += 1;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i += 1;
    } else if (c === '"') {
      throw new Error(`a quote inside an unquoted field at ${i}`);
    } else if (c === ',') {
      record.push(field);
      field = '';
      atFieldStart = true;
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      atFieldStart = true;
      i += 2;
    } else if (c === '\n' || c === '\r') {
      throw new Error(`a bare line break outside quotes at ${i}`);
    } else {
      field += c;
      atFieldStart = false;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) throw new Error('the last record does not end with CRLF');
  return records;
}

// WinAnsiEncoding is Latin-1 but for 0x80–0x9F (Node's TextDecoder may read those as C1 controls).
const WIN_ANSI_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const winAnsi = {
  decode: (bytes: Uint8Array) =>
    [...bytes]
      .map((b) => (b >= 0x80 && b <= 0x9f ? WIN_ANSI_HIGH[b - 0x80]! : String.fromCharCode(b)))
      .join(''),
};

function decodeHex(hex: string): string {
  const clean = hex.replace(/\s+/g, '');
  const bytes = new Uint8Array(Math.floor(clean.length / 2));
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return winAnsi.decode(bytes);
}

/** A PDF's text objects, one string per shown string, page by page. */
export function pdfText(pdf: Buffer): { pages: string[][] } {
  const raw = pdf.toString('latin1');
  const contents: string[] = [];
  const streamRe = /<<([^]*?)>>\s*stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = streamRe.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    const body = pdf.subarray(start, end);
    const data = /\/FlateDecode/.test(m[1]!) ? inflateSync(body).toString('latin1') : body.toString('latin1');
    if (/\bBT\b/.test(data)) contents.push(data);
  }
  const pages = contents.map((c) => {
    const strings: string[] = [];
    const opRe = /<([0-9a-fA-F\s]*)>\s*Tj|\[([^\]]*)\]\s*TJ/g;
    let o: RegExpExecArray | null;
    while ((o = opRe.exec(c))) {
      if (o[1] !== undefined) strings.push(decodeHex(o[1]));
      else strings.push([...o[2]!.matchAll(/<([0-9a-fA-F\s]*)>/g)].map((h) => decodeHex(h[1]!)).join(''));
    }
    return strings;
  });
  return { pages };
}
