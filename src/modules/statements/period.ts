// Periods of statements and reports. `from` and `to` are ISO dates (YYYY-MM-DD: whole UTC
// days, both inclusive) or ISO date-times with a zone (…T10:00:00Z, …T10:00:00.123456+02:00:
// that instant, inclusive). Inside, an instant is a bigint count of microseconds since the
// epoch — PostgreSQL's own resolution — so "just before from" and "up to and including to"
// are exact, with no float and no millisecond rounding.
import { BankError } from '../../platform/errors.js';

export const MICROS_PER_DAY = 86_400_000_000n;

export interface Period {
  /** First instant in the period, microseconds since the epoch (inclusive). */
  fromMicros: bigint;
  /** Last instant in the period, microseconds since the epoch (inclusive). */
  toMicros: bigint;
  /** The same bounds as ISO 8601 UTC text with microseconds, for SQL and for replies. */
  from: string;
  to: string;
  /** The UTC days of the first and last instant (YYYY-MM-DD). */
  firstDay: string;
  lastDay: string;
  /** Both bounds are whole days (from at 00:00, to at the end of a day). */
  wholeDays: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

type Parsed = { ok: true; micros: bigint } | { ok: false; message: string };

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function dayMicros(y: number, m: number, d: number): bigint {
  return BigInt(Date.UTC(y, m - 1, d)) * 1000n;
}

function validDate(y: number, m: number, d: number): string | undefined {
  if (y < 1970 || y > 9999) return 'must be a date between 1970 and 9999';
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return 'is not a calendar date';
  return undefined;
}

/**
 * Parses `from` or `to`. A date means its first instant for `start` and its last instant for
 * `end`, so ?from=2024-01-01&to=2024-01-31 is all of January.
 */
export function parseInstant(text: string, bound: 'start' | 'end'): Parsed {
  const date = DATE.exec(text);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const bad = validDate(y, m, d);
    if (bad) return { ok: false, message: bad };
    const start = dayMicros(y, m, d);
    return { ok: true, micros: bound === 'start' ? start : start + MICROS_PER_DAY - 1n };
  }
  const dt = DATE_TIME.exec(text);
  if (!dt) {
    return {
      ok: false,
      message: 'must be an ISO date (2024-01-31) or date-time with a zone (2024-01-31T18:00:00Z)',
    };
  }
  const [y, m, d, hh, mm] = [1, 2, 3, 4, 5].map((i) => Number(dt[i]));
  const ss = Number(dt[6] ?? '0');
  const bad = validDate(y!, m!, d!);
  if (bad) return { ok: false, message: bad };
  if (hh! > 23 || mm! > 59 || ss > 59) return { ok: false, message: 'is not a valid time of day' };
  let offsetMinutes = 0;
  if (dt[8] !== 'Z') {
    const [oh, om] = [Number(dt[10]), Number(dt[11])];
    if (oh > 23 || om > 59) return { ok: false, message: 'has an invalid zone offset' };
    offsetMinutes = (dt[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const micros =
    BigInt(Date.UTC(y!, m! - 1, d!, hh!, mm!, ss)) * 1000n +
    BigInt((dt[7] ?? '').padEnd(6, '0')) -
    BigInt(offsetMinutes) * 60_000_000n;
  if (micros < 0n) return { ok: false, message: 'must be a date between 1970 and 9999' };
  return { ok: true, micros };
}

/** ISO 8601 UTC text with all six fractional digits: 2024-01-31T23:59:59.999999Z. */
export function microsToIso(micros: bigint): string {
  const ms = micros / 1000n;
  const rest = micros % 1000n;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, -1)}${rest.toString().padStart(3, '0')}Z`;
}

export const dayOf = (micros: bigint): string => microsToIso(micros).slice(0, 10);

/** The first instant of the UTC day `micros` falls in. */
export const startOfDay = (micros: bigint): bigint => micros - (micros % MICROS_PER_DAY);

export interface PeriodInput {
  from?: string | undefined;
  to?: string | undefined;
}

export interface PeriodOptions {
  maxDays: number;
  /** When `from` is missing: 'month' = the first day of to's month; a number = that many days up to `to`. */
  defaultFrom: 'month' | number;
  now?: Date;
}

const invalid = (field: 'from' | 'to', message: string) =>
  new BankError('INVALID_REQUEST', `${field} ${message}`, {
    errors: [{ path: `querystring.${field}`, message }],
  });

/**
 * Turns ?from&to into a period, or throws 400 INVALID_REQUEST: malformed or impossible dates,
 * from after to, or a period longer than maxDays. `to` defaults to the end of today (UTC).
 */
export function resolvePeriod(input: PeriodInput, opts: PeriodOptions): Period {
  let toMicros: bigint;
  if (input.to !== undefined) {
    const to = parseInstant(input.to, 'end');
    if (!to.ok) throw invalid('to', to.message);
    toMicros = to.micros;
  } else {
    toMicros = startOfDay(BigInt((opts.now ?? new Date()).getTime()) * 1000n) + MICROS_PER_DAY - 1n;
  }
  let fromMicros: bigint;
  if (input.from !== undefined) {
    const from = parseInstant(input.from, 'start');
    if (!from.ok) throw invalid('from', from.message);
    fromMicros = from.micros;
  } else if (opts.defaultFrom === 'month') {
    const day = dayOf(toMicros);
    fromMicros = dayMicros(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 1);
  } else {
    fromMicros = startOfDay(toMicros) - BigInt(opts.defaultFrom - 1) * MICROS_PER_DAY;
  }
  if (fromMicros > toMicros) throw invalid('from', 'must not be after to');
  if (toMicros - fromMicros + 1n > BigInt(opts.maxDays) * MICROS_PER_DAY) {
    throw invalid('to', `must be at most ${opts.maxDays} days after from (STATEMENT_MAX_DAYS)`);
  }
  return {
    fromMicros,
    toMicros,
    from: microsToIso(fromMicros),
    to: microsToIso(toMicros),
    firstDay: dayOf(fromMicros),
    lastDay: dayOf(toMicros),
    wholeDays: fromMicros % MICROS_PER_DAY === 0n && (toMicros + 1n) % MICROS_PER_DAY === 0n,
  };
}

/** The UTC days from firstDay to lastDay inclusive. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let d = startOfDay(period.fromMicros); d <= period.toMicros; d += MICROS_PER_DAY) days.push(dayOf(d));
  return days;
}
