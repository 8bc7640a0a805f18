// AES-256-GCM keyring and blind index.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyring, piiCrypto, safeEqual } from './crypto.js';
import { loadConfig } from './config.js';
import { readSecretsFile, secretsFilePath, writeSecretsFile } from './secrets.js';

const key = (n: number) => Buffer.alloc(32, n).toString('base64');

describe('Keyring', () => {
  it('seals with the newest key and opens with any listed key', () => {
    const old = new Keyring(`a:${key(1)}`);
    const sealed = old.seal('123456789', 'customers.national_id:1');
    expect(sealed.keyId).toBe('a');
    expect(sealed.ciphertext.includes(Buffer.from('123456789'))).toBe(false);
    const both = new Keyring(`a:${key(1)},b:${key(2)}`);
    expect(both.activeKeyId).toBe('b');
    expect(both.open(sealed, 'customers.national_id:1')).toBe('123456789');
    expect(both.seal('x', 'y').keyId).toBe('b');
  });

  it('uses a fresh IV each time', () => {
    const k = new Keyring(`a:${key(1)}`);
    expect(k.seal('same', 'aad').ciphertext.equals(k.seal('same', 'aad').ciphertext)).toBe(false);
  });

  it('refuses another row’s associated data, a tampered ciphertext and an unknown key', () => {
    const k = new Keyring(`a:${key(1)}`);
    const sealed = k.seal('123456789', 'row:1');
    expect(() => k.open(sealed, 'row:2')).toThrow();
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => k.open({ ...sealed, ciphertext: tampered }, 'row:1')).toThrow();
    expect(() => k.open({ ...sealed, keyId: 'zz' }, 'row:1')).toThrow(/not in the keyring/);
  });

  it('re-reads a development keyring when it meets a new key id', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'corebank-keys-'));
    const config = loadConfig({ NODE_ENV: 'development', COREBANK_DATA_DIR: dir });
    const running = piiCrypto(config);
    const file = secretsFilePath(dir);
    const content = readSecretsFile(file);
    writeSecretsFile(file, { ...content, piiKeyring: `${content.piiKeyring},k9:${key(9)}` });
    const rotated = piiCrypto(loadConfig({ NODE_ENV: 'development', COREBANK_DATA_DIR: dir }));
    const sealed = rotated.keyring.seal('secret', 'aad');
    expect(sealed.keyId).toBe('k9');
    expect(running.keyring.open(sealed, 'aad')).toBe('secret');
  });
});

describe('blind index', () => {
  it('is deterministic per key and domain', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const pc = piiCrypto(config);
    expect(pc.blindIndex('d', '123456789').equals(pc.blindIndex('d', '123456789'))).toBe(true);
    expect(pc.blindIndex('d', '123456789').equals(pc.blindIndex('e', '123456789'))).toBe(false);
    const other = piiCrypto(loadConfig({ NODE_ENV: 'test', PII_HMAC_KEY: key(3) }));
    expect(pc.blindIndex('d', '1').equals(other.blindIndex('d', '1'))).toBe(false);
  });

  it('safeEqual compares strings', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
