// TOTP (RFC 6238) over HOTP (RFC 4226), with base32 (RFC 4648) secrets as authenticator apps
// expect. Verification accepts one step of clock drift either side and never the same step
// twice (the caller stores the last step used).
import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../../platform/crypto.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(s: string): Buffer {
  const clean = s.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error('Invalid base32');
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export function hotp(secret: Buffer, counter: bigint, digits = 6, algorithm: TotpAlgorithm = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(counter);
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return code.toString().padStart(digits, '0');
}

export const TOTP_STEP_SECONDS = 30;

export function totpStep(unixSeconds: number): bigint {
  return BigInt(Math.floor(unixSeconds / TOTP_STEP_SECONDS));
}

export function totp(
  secret: Buffer,
  unixSeconds: number,
  digits = 6,
  algorithm: TotpAlgorithm = 'sha1',
): string {
  return hotp(secret, totpStep(unixSeconds), digits, algorithm);
}

/**
 * The time step the code matches (within ±1 step of now and after `lastStep`), or null.
 */
export function verifyTotp(
  secret: Buffer,
  code: string,
  opts: { now?: number; lastStep?: bigint | null; window?: number } = {},
): bigint | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const current = totpStep(opts.now ?? Date.now() / 1000);
  const window = BigInt(opts.window ?? 1);
  let matched: bigint | null = null;
  for (let step = current - window; step <= current + window; step++) {
    // Check every step (no early exit) so timing does not reveal which one matched.
    if (safeEqual(hotp(secret, step), code) && matched === null) matched = step;
  }
  if (matched === null) return null;
  if (opts.lastStep !== undefined && opts.lastStep !== null && matched <= opts.lastStep) return null;
  return matched;
}

export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

export function otpauthUrl(secret: Buffer, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: 'SHA1',
    digits: '6',
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
