// Money in the browser: amounts arrive as decimal strings ("1234.50") and stay strings. They
// are formatted by splitting the string into its integer and fraction digits (the integer part
// goes through Intl.NumberFormat as a BigInt, for grouping and the currency sign), validated
// with the server's rules, and compared or summed only as BigInt minor units. No float ever
// holds an amount.

export const MAX_INTEGER_DIGITS = 15;

/** Minor digits of the currencies corebank knows (ISO 4217); the server's table is the truth. */
const MINOR_DIGITS: Record<string, number> = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  JPY: 0,
  BHD: 3,
  KWD: 3,
};

export const CURRENCIES = Object.keys(MINOR_DIGITS);

export function minorDigits(currency: string): number {
  const known = MINOR_DIGITS[currency];
  if (known !== undefined) return known;
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

const DECIMAL = /^(-)?([0-9]+)(?:\.([0-9]+))?$/;

interface Parts {
  negative: boolean;
  whole: string;
  fraction: string;
}

function split(amount: string): Parts | null {
  const m = DECIMAL.exec(amount.trim());
  if (!m) return null;
  return { negative: m[1] === '-', whole: m[2]!.replace(/^0+(?=[0-9])/, ''), fraction: m[3] ?? '' };
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(
  locale: string | undefined,
  currency: string,
  display: 'symbol' | 'code',
): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}|${display}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        currencyDisplay: display,
        minimumFractionDigits: 0,
        maximumFractionDigits: 0,
      });
    } catch {
      f = new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 0 });
    }
    formatters.set(key, f);
  }
  return f;
}

export interface FormatOptions {
  locale?: string;
  /** "symbol" ($1,234.50, the default) or "code" (USD 1,234.50). */
  display?: 'symbol' | 'code';
  /** Show a + on positive amounts (for credits in a history). */
  signed?: boolean;
}

/**
 * Formats a decimal string in a currency: "1234.5" USD → "$1,234.50", "-0.5" → "-$0.50",
 * "1000" JPY → "¥1,000". The fraction is padded to the currency's digits and never rounded.
 * Input that is not a decimal string is returned unchanged.
 */
export function formatMoney(amount: string, currency: string, opts: FormatOptions = {}): string {
  const p = split(amount);
  if (!p) return amount;
  const digits = minorDigits(currency);
  const fraction = p.fraction.length >= digits ? p.fraction : p.fraction.padEnd(digits, '0');
  const isZero = /^0*$/.test(p.whole) && /^0*$/.test(fraction);
  const negative = p.negative && !isZero;
  const f = formatterFor(opts.locale, currency, opts.display ?? 'symbol');
  // Format the integer part as a BigInt: grouping and the sign's place come from the locale.
  // For "-0.xx" format -1 and put the 0 back, so the minus sign is where the locale wants it.
  const whole = BigInt(p.whole);
  const parts = f.formatToParts(negative ? (whole === 0n ? -1n : -whole) : whole);
  let wholeDone = false;
  let out = '';
  const decimalSep = decimalSeparator(opts.locale);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.type === 'integer' && negative && whole === 0n) {
      out += '0';
    } else {
      out += part.value;
    }
    const next = parts[i + 1];
    const lastDigitPart =
      (part.type === 'integer' || part.type === 'group') &&
      (!next || (next.type !== 'integer' && next.type !== 'group'));
    if (lastDigitPart && !wholeDone) {
      wholeDone = true;
      if (fraction.length > 0) out += decimalSep + fraction;
    }
  }
  if (opts.signed && !negative && !isZero) out = `+${out}`;
  return out;
}

const separators = new Map<string, string>();
function decimalSeparator(locale: string | undefined): string {
  const key = locale ?? '';
  let sep = separators.get(key);
  if (sep === undefined) {
    // Formatting a float literal here is only to learn the locale's separator character.
    sep = new Intl.NumberFormat(locale).formatToParts(1.5).find((x) => x.type === 'decimal')?.value ?? '.';
    separators.set(key, sep);
  }
  return sep;
}

export type AmountCheck = { ok: true; amount: string } | { ok: false; message: string };

/**
 * The server's amount rules, checked before sending: a plain decimal string, greater than zero,
 * at most the currency's minor digits, at most 15 integer digits. Surrounding spaces are
 * ignored; the returned `amount` is what to send.
 */
export function checkAmount(input: string, currency: string): AmountCheck {
  const text = input.trim();
  if (text === '') return { ok: false, message: 'Enter an amount' };
  if (text.startsWith('-')) return { ok: false, message: 'The amount must not be negative' };
  const m = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(text);
  if (!m)
    return { ok: false, message: 'Enter the amount as digits with an optional decimal point, e.g. 12.34' };
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  const digits = minorDigits(currency);
  if (whole.length > MAX_INTEGER_DIGITS) {
    return {
      ok: false,
      message: `The amount must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`,
    };
  }
  if (fraction.length > digits) {
    return {
      ok: false,
      message:
        digits === 0
          ? `${currency} amounts have no decimals`
          : `${currency} amounts have at most ${digits} decimal${digits === 1 ? '' : 's'}`,
    };
  }
  if (/^0*$/.test(whole) && /^0*$/.test(fraction))
    return { ok: false, message: 'The amount must be greater than zero' };
  return { ok: true, amount: text };
}

/** A decimal string as integer minor units (for comparing and summing, never for display). */
export function toMinor(amount: string, currency: string): bigint {
  const p = split(amount);
  if (!p) throw new Error(`not a decimal amount: ${amount}`);
  const digits = minorDigits(currency);
  if (p.fraction.length > digits) throw new Error(`${amount} has more than ${digits} decimals`);
  const minor = BigInt(p.whole + p.fraction.padEnd(digits, '0'));
  return p.negative ? -minor : minor;
}

/** Integer minor units back to a decimal string with the currency's digits. */
export function fromMinor(minor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const s = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? s : s.slice(0, -digits);
  return `${negative ? '-' : ''}${whole}${digits === 0 ? '' : `.${s.slice(-digits)}`}`;
}

/** -1, 0 or 1, comparing two decimal strings in the same currency. */
export function compareAmounts(a: string, b: string, currency: string): number {
  const x = toMinor(a, currency);
  const y = toMinor(b, currency);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The sum of decimal strings in one currency, as a decimal string. */
export function sumAmounts(amounts: readonly string[], currency: string): string {
  return fromMinor(
    amounts.reduce((acc, a) => acc + toMinor(a, currency), 0n),
    currency,
  );
}

/** True when the amount is below zero ("-0.00" is not). */
export function isNegative(amount: string): boolean {
  const p = split(amount);
  return !!p && p.negative && !(/^0*$/.test(p.whole) && /^0*$/.test(p.fraction));
}

/**
 * An amount as an integer count of minor units in a JS number, for chart geometry only (the
 * position of a point or a bar); exact below 2^53 minor units. Labels go back through
 * `chartLabel`, never through float arithmetic.
 */
export function toChartNumber(amount: string, currency: string): number {
  return Number(toMinor(amount, currency));
}

/** The label of a chart value made by toChartNumber. */
export function chartLabel(value: number, currency: string, opts: FormatOptions = {}): string {
  return formatMoney(fromMinor(BigInt(Math.round(value)), currency), currency, opts);
}
