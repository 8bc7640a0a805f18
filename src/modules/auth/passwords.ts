// Password hashing (argon2id, m = 19 MiB, t = 2: OWASP's minimum) and the password rules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import { projectRoot } from '../../platform/paths.js';
import { randomToken } from '../../platform/crypto.js';

export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** An argon2id PHC string (@node-rs/argon2 defaults to argon2id, version 0x13). */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time a real verification would, for logins whose user does not exist (or must not
 * be checked), so response times do not tell which emails are registered.
 */
export async function verifyDummy(password: string): Promise<void> {
  dummy ??= hashPassword(randomToken(24));
  await verifyPassword(await dummy, password);
}

export interface Argon2Params {
  algorithm: string;
  version: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export function argon2Params(phc: string): Argon2Params | undefined {
  const m = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!m) return undefined;
  return {
    algorithm: m[1]!,
    version: Number(m[2]),
    memoryCost: Number(m[3]),
    timeCost: Number(m[4]),
    parallelism: Number(m[5]),
  };
}

/** True when a stored hash is weaker than today's parameters (rehash it at the next login). */
export function needsRehash(phc: string): boolean {
  const p = argon2Params(phc);
  return (
    !p ||
    p.algorithm !== 'argon2id' ||
    p.memoryCost < ARGON2_PARAMS.memoryCost ||
    p.timeCost < ARGON2_PARAMS.timeCost
  );
}

let common: Set<string> | undefined;

export function commonPasswords(): Set<string> {
  if (!common) {
    const text = readFileSync(path.join(projectRoot, 'src/modules/auth/common-passwords.txt'), 'utf8');
    common = new Set(
      text
        .split('\n')
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  return common;
}

/** What is wrong with a new password for this email; empty when it is acceptable. */
export function passwordProblems(password: string, email: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  const lower = password.toLowerCase();
  const local = (email.split('@')[0] ?? '').split('+')[0]!.toLowerCase();
  if (local.length >= 3 && lower.includes(local)) problems.push('must not contain the email address');
  const list = commonPasswords();
  const stem = lower.replace(/[^a-z]+$/, '');
  if (list.has(lower) || (stem.length >= 4 && list.has(stem)) || /^(.)\1*$/.test(password)) {
    problems.push('is too common; choose a less guessable password');
  }
  return problems;
}
