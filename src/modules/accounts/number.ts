// Account numbers: 12 digits, the last a Luhn check digit, so a mistyped digit or a swap of
// two neighbours is caught before any lookup. Lists show only the last four.
import { randomInt } from 'node:crypto';

export const ACCOUNT_NUMBER = /^[0-9]{12}$/;

export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidAccountNumber(n: string): boolean {
  return ACCOUNT_NUMBER.test(n) && luhnCheckDigit(n.slice(0, -1)) === Number(n.slice(-1));
}

/** A new random account number (the caller retries on the rare unique clash). */
export function generateAccountNumber(): string {
  let body = String(randomInt(1, 10)); // no leading zero
  while (body.length < 11) body += String(randomInt(0, 10));
  return body + String(luhnCheckDigit(body));
}

export function maskAccountNumber(n: string): string {
  return `****${n.slice(-4)}`;
}
