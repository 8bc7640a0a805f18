// The three secrets corebank needs: the JWT signing key, the PII encryption keyring and the
// key of the blind index. In production they must come from the environment; in development
// they are generated once and kept in <COREBANK_DATA_DIR>/secrets.json (mode 0600) so that
// `npm install && npm start` works with no configuration; in test they are derived from fixed
// labels, so every test process signs and encrypts alike.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RawConfig } from './config.js';

export interface ResolvedSecrets {
  JWT_SECRET: string;
  PII_KEYRING: string;
  PII_HMAC_KEY: string;
  /** The development secrets file the values came from, if any (`keys rotate` appends to it). */
  secretsFile: string | null;
}

interface SecretsFile {
  jwtSecret?: string;
  piiKeyring?: string;
  piiHmacKey?: string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export function secretsFilePath(dataDir: string): string {
  return path.resolve(dataDir, 'secrets.json');
}

const derived = (label: string) => createHash('sha256').update(`corebank-test:${label}`).digest();

/** Fixed values used when NODE_ENV=test; production refuses them. */
export const testSecrets = {
  JWT_SECRET: derived('jwt').toString('base64url'),
  PII_KEYRING: `test1:${derived('pii-1').toString('base64')}`,
  PII_HMAC_KEY: derived('pii-hmac').toString('base64'),
};

export const newPiiKey = (): string => randomBytes(32).toString('base64');

function generated(): Required<SecretsFile> {
  return {
    jwtSecret: randomBytes(32).toString('base64url'),
    piiKeyring: `k1:${newPiiKey()}`,
    piiHmacKey: randomBytes(32).toString('base64'),
  };
}

export function readSecretsFile(file: string): SecretsFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return {};
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function writeSecretsFile(file: string, content: SecretsFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Parses `id:base64key,id:base64key` (newest last) and checks every key is 32 bytes. */
export function parseKeyringSpec(spec: string): { id: string; key: Buffer }[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon) : '';
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (!KEY_ID.test(id)) throw new Error('PII_KEYRING: every entry must be "keyId:base64key"');
      if (key.length !== 32) throw new Error(`PII_KEYRING: key "${id}" must be 32 bytes (base64)`);
      return { id, key };
    });
  if (entries.length === 0) throw new Error('PII_KEYRING: at least one key is required');
  if (new Set(entries.map((e) => e.id)).size !== entries.length)
    throw new Error('PII_KEYRING: key ids must be unique');
  return entries;
}

function validate(s: Omit<ResolvedSecrets, 'secretsFile'>): void {
  if (s.JWT_SECRET.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
  parseKeyringSpec(s.PII_KEYRING);
  if (Buffer.from(s.PII_HMAC_KEY, 'base64').length < 32)
    throw new Error('PII_HMAC_KEY must be at least 32 bytes, base64-encoded');
}

export function resolveSecrets(
  raw: Pick<RawConfig, 'NODE_ENV' | 'COREBANK_DATA_DIR' | 'JWT_SECRET' | 'PII_KEYRING' | 'PII_HMAC_KEY'>,
): ResolvedSecrets {
  const given = { JWT_SECRET: raw.JWT_SECRET, PII_KEYRING: raw.PII_KEYRING, PII_HMAC_KEY: raw.PII_HMAC_KEY };
  let result: ResolvedSecrets;
  if (given.JWT_SECRET && given.PII_KEYRING && given.PII_HMAC_KEY) {
    result = {
      JWT_SECRET: given.JWT_SECRET,
      PII_KEYRING: given.PII_KEYRING,
      PII_HMAC_KEY: given.PII_HMAC_KEY,
      secretsFile: null,
    };
  } else if (raw.NODE_ENV === 'production') {
    const missing = Object.entries(given)
      .filter(([, v]) => !v)
      .map(([k]) => k);
    throw new Error(
      `Invalid configuration: ${missing.join(', ')} must be set in production (see .env.example and docs/security.md)`,
    );
  } else if (raw.NODE_ENV === 'test') {
    result = {
      JWT_SECRET: given.JWT_SECRET ?? testSecrets.JWT_SECRET,
      PII_KEYRING: given.PII_KEYRING ?? testSecrets.PII_KEYRING,
      PII_HMAC_KEY: given.PII_HMAC_KEY ?? testSecrets.PII_HMAC_KEY,
      secretsFile: null,
    };
  } else {
    const file = secretsFilePath(raw.COREBANK_DATA_DIR);
    const stored = readSecretsFile(file);
    const fresh = generated();
    const complete = {
      jwtSecret: stored.jwtSecret ?? fresh.jwtSecret,
      piiKeyring: stored.piiKeyring ?? fresh.piiKeyring,
      piiHmacKey: stored.piiHmacKey ?? fresh.piiHmacKey,
    };
    if (!stored.jwtSecret || !stored.piiKeyring || !stored.piiHmacKey) writeSecretsFile(file, complete);
    result = {
      JWT_SECRET: given.JWT_SECRET ?? complete.jwtSecret,
      PII_KEYRING: given.PII_KEYRING ?? complete.piiKeyring,
      PII_HMAC_KEY: given.PII_HMAC_KEY ?? complete.piiHmacKey,
      secretsFile: given.PII_KEYRING ? null : file,
    };
  }
  try {
    validate(result);
  } catch (err) {
    throw new Error(`Invalid configuration: ${(err as Error).message}`, { cause: err });
  }
  if (raw.NODE_ENV === 'production') {
    const reused = (Object.keys(testSecrets) as (keyof typeof testSecrets)[]).filter(
      (k) => result[k] === testSecrets[k],
    );
    if (reused.length)
      throw new Error(
        `Invalid configuration: ${reused.join(', ')} is the public test value; generate a real one`,
      );
  }
  return result;
}
