// Configuration: every variable is documented in .env.example; secrets are required in
// production, generated once in development, derived in test.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from './config.js';
import { projectRoot } from './paths.js';
import { secretsFilePath, testSecrets } from './secrets.js';

const realKeys = {
  JWT_SECRET: 'x'.repeat(40),
  PII_KEYRING: `p1:${Buffer.alloc(32, 7).toString('base64')}`,
  PII_HMAC_KEY: Buffer.alloc(32, 9).toString('base64'),
};

describe('.env.example', () => {
  const example = readFileSync(path.join(projectRoot, '.env.example'), 'utf8');
  it.each(Object.keys(configSchema.shape))('documents %s', (key) => {
    expect(example).toMatch(new RegExp(`^${key}=`, 'm'));
  });
});

describe('secrets', () => {
  it('refuses to start in production without them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET, PII_KEYRING, PII_HMAC_KEY must be set/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', ...realKeys, JWT_SECRET: '' })).toThrow(/JWT_SECRET/);
  });

  it('refuses weak or malformed ones and the public test values in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ...realKeys, JWT_SECRET: 'short' })).toThrow(
      /32 characters/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', ...realKeys, PII_KEYRING: 'k1:c2hvcnQ=' })).toThrow(
      /32 bytes/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', ...realKeys, PII_KEYRING: 'nokey' })).toThrow(
      /keyId:base64key/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', ...realKeys, JWT_SECRET: testSecrets.JWT_SECRET }),
    ).toThrow(/public test value/);
  });

  it('takes them from the environment in production', () => {
    const c = loadConfig({ NODE_ENV: 'production', ...realKeys });
    expect(c.JWT_SECRET).toBe(realKeys.JWT_SECRET);
    expect(c.secretsFile).toBeNull();
  });

  it('derives fixed ones in test', () => {
    const c = loadConfig({ NODE_ENV: 'test' });
    expect(c.JWT_SECRET).toBe(testSecrets.JWT_SECRET);
    expect(c.PII_KEYRING).toBe(testSecrets.PII_KEYRING);
  });

  it('generates them once in development, in a file only the owner can read', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'corebank-secrets-'));
    const a = loadConfig({ NODE_ENV: 'development', COREBANK_DATA_DIR: dir });
    const b = loadConfig({ NODE_ENV: 'development', COREBANK_DATA_DIR: dir });
    expect(a.JWT_SECRET).toBe(b.JWT_SECRET);
    expect(a.PII_KEYRING).toBe(b.PII_KEYRING);
    expect(a.JWT_SECRET).not.toBe(testSecrets.JWT_SECRET);
    const file = secretsFilePath(dir);
    expect(a.secretsFile).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).jwtSecret).toBe(a.JWT_SECRET);
  });

  it('caps the access-token lifetime at 15 minutes', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', ACCESS_TOKEN_TTL_SECONDS: '901' })).toThrow(
      /ACCESS_TOKEN_TTL_SECONDS/,
    );
  });
});
