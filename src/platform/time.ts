// Strict checks for dates and instants that clients send: the shape AND the calendar, so that
// "2026-02-30" is refused as bad input here instead of failing inside PostgreSQL as a 500.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-](\d{2})(:?(\d{2}))?)$/;

// Year 0000 has the shape but is no year to PostgreSQL (1 BC comes before 0001), which refused
// it as out of range: a 500 for a history query with from=0000-01-01.
function realDay(y: number, mo: number, d: number): boolean {
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** A real calendar day, YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  return m !== null && realDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** A real instant in ISO 8601 or PostgreSQL's text form (microseconds kept), not just its shape. */
export function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetOk = m[9] === undefined || (Number(m[9]) <= 15 && Number(m[11] ?? 0) < 60);
  return realDay(y, mo, d) && h < 24 && mi < 60 && sec < 60 && offsetOk;
}
