// Password hashing parameters and rules.
import { describe, expect, it } from 'vitest';
import {
  argon2Params,
  commonPasswords,
  hashPassword,
  needsRehash,
  passwordProblems,
  verifyPassword,
} from './passwords.js';

describe('argon2id', () => {
  it('hashes with m ≥ 19456 KiB, t ≥ 2 and verifies', async () => {
    const phc = await hashPassword('Ample-Harbor-Lantern-42');
    const p = argon2Params(phc)!;
    expect(p.algorithm).toBe('argon2id');
    expect(p.version).toBe(19);
    expect(p.memoryCost).toBeGreaterThanOrEqual(19456);
    expect(p.timeCost).toBeGreaterThanOrEqual(2);
    expect(await verifyPassword(phc, 'Ample-Harbor-Lantern-42')).toBe(true);
    expect(await verifyPassword(phc, 'Ample-Harbor-Lantern-43')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
    expect(needsRehash(phc)).toBe(false);
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true);
  });
});

describe('password rules', () => {
  const email = 'jane.doe@example.test';

  it('accepts a long, uncommon password', () => {
    expect(passwordProblems('Ample-Harbor-Lantern-42', email)).toEqual([]);
  });

  it('needs at least 12 characters', () => {
    expect(passwordProblems('Sh0rt-Pass!', email)).toEqual(['must be at least 12 characters long']);
  });

  it('refuses the local part of the email', () => {
    expect(passwordProblems('my-JANE.DOE-is-great', email)).toContain('must not contain the email address');
  });

  it('refuses common passwords, also with digits or symbols appended', () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(300);
    for (const pw of ['password1234', 'Qwerty123456', 'iloveyou1234', 'Sunshine2024!!', 'aaaaaaaaaaaaaaaa']) {
      expect(passwordProblems(pw, email), pw).toContain('is too common; choose a less guessable password');
    }
  });

  it('refuses absurdly long passwords', () => {
    expect(passwordProblems('x'.repeat(129) + 'Ab1', email)).toContain('must be at most 128 characters long');
  });
});
