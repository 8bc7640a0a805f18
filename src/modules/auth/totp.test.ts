// TOTP against the test vectors of RFC 6238 appendix B (and HOTP's of RFC 4226 appendix D).
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  hotp,
  otpauthUrl,
  totp,
  verifyTotp,
  type TotpAlgorithm,
} from './totp.js';

const seeds: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

const vectors: [number, string, TotpAlgorithm][] = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(vectors)('at T=%i gives %s with %s', (time, expected, alg) => {
    expect(totp(seeds[alg], time, 8, alg)).toBe(expected);
  });

  it('matches the HOTP vectors of RFC 4226', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, i) => hotp(seeds.sha1, BigInt(i)))).toEqual(expected);
  });

  it('accepts one step of drift, and never the same step twice', () => {
    const secret = seeds.sha1;
    const now = 1_700_000_000;
    const code = totp(secret, now);
    const step = verifyTotp(secret, code, { now });
    expect(step).toBe(BigInt(Math.floor(now / 30)));
    expect(verifyTotp(secret, totp(secret, now - 30), { now })).not.toBeNull();
    expect(verifyTotp(secret, totp(secret, now + 30), { now })).not.toBeNull();
    expect(verifyTotp(secret, totp(secret, now - 90), { now })).toBeNull();
    expect(verifyTotp(secret, code, { now, lastStep: step })).toBeNull();
    expect(verifyTotp(secret, '12345', { now })).toBeNull();
    expect(verifyTotp(secret, 'abcdef', { now })).toBeNull();
  });
});

describe('base32', () => {
  it('round-trips and matches RFC 4648', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    expect(() => base32Decode('not base32!')).toThrow();
  });

  it('builds an otpauth URL for authenticator apps', () => {
    const url = otpauthUrl(Buffer.from('12345678901234567890'), 'a@b.test', 'corebank');
    expect(url).toBe(
      'otpauth://totp/corebank%3Aa%40b.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=corebank&algorithm=SHA1&digits=6&period=30',
    );
  });
});
