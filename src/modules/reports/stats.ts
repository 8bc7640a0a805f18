// Exact arithmetic for report statistics: integers in, integers out, no float anywhere.

/** a / b rounded to the nearest integer, ties to even (banker's rounding). b must not be 0. */
export function divRoundHalfEven(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('division by zero');
  if (b < 0n) return divRoundHalfEven(-a, -b);
  const q = a / b; // truncates toward zero
  const r = a % b; // same sign as a
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice < b || r === 0n) return q;
  const away = a < 0n ? q - 1n : q + 1n;
  if (twice > b) return away;
  return q % 2n === 0n ? q : away; // exactly half: to the even neighbour
}

/** part / whole as a percentage with two decimals ("12.35"), half-even; "0.00" when whole is 0. */
export function percentOf(part: bigint, whole: bigint): string {
  if (whole === 0n) return '0.00';
  const hundredths = divRoundHalfEven(part * 10_000n, whole);
  const negative = hundredths < 0n;
  const digits = (negative ? -hundredths : hundredths).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
