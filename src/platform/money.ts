// Money crosses the boundary as a decimal string ("1234.50") and lives inside as bigint minor
// units. These two functions are the only way between the forms; no float ever holds money.

const MAX_INTEGER_DIGITS = 15;
const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

export type AmountProblem =
  'not_a_decimal' | 'too_many_decimals' | 'too_many_integer_digits' | 'not_positive' | 'negative';

export type ParsedAmount = { ok: true; minor: bigint } | { ok: false; problem: AmountProblem };

/**
 * Parses a client's amount into minor units for a currency with `exponent` minor digits.
 * Accepts a decimal string, or a JSON number whose shortest decimal form is itself valid
 * (so 12.5 is accepted, 0.1 + 0.2 is not). `allowZero` is for contexts such as limits.
 */
export function parseAmount(
  input: unknown,
  exponent: number,
  opts: { allowZero?: boolean } = {},
): ParsedAmount {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (typeof input === 'number' && Number.isFinite(input)) {
    text = String(input);
    if (!Number.isSafeInteger(Math.round(input * 10 ** exponent)))
      return { ok: false, problem: 'too_many_integer_digits' };
  } else {
    return { ok: false, problem: 'not_a_decimal' };
  }
  if (text.startsWith('-')) {
    return DECIMAL.test(text.slice(1))
      ? { ok: false, problem: 'negative' }
      : { ok: false, problem: 'not_a_decimal' };
  }
  const m = DECIMAL.exec(text);
  if (!m) return { ok: false, problem: 'not_a_decimal' };
  const whole = m[1] ?? '0';
  const fraction = m[2] ?? '';
  if (whole.length > MAX_INTEGER_DIGITS) return { ok: false, problem: 'too_many_integer_digits' };
  if (fraction.length > exponent) return { ok: false, problem: 'too_many_decimals' };
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  if (minor === 0n && !opts.allowZero) return { ok: false, problem: 'not_positive' };
  return { ok: true, minor };
}

/** Formats minor units as a plain decimal string with exactly `exponent` decimals. */
export function formatAmount(minor: bigint, exponent: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export const amountProblemText: Record<AmountProblem, string> = {
  not_a_decimal: 'must be a decimal string such as "12.34"',
  too_many_decimals: 'has more decimals than the currency allows',
  too_many_integer_digits: `has more than ${MAX_INTEGER_DIGITS} integer digits`,
  not_positive: 'must be greater than zero',
  negative: 'must not be negative',
};
