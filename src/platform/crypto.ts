// Cryptographic helpers: AES-256-GCM under a keyring (each ciphertext names its key), keyed
// HMAC blind indexes for looking up encrypted values, hashes and random tokens. No banking words
// here: callers say what a value is through the associated data and the index domain.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { Config } from './config.js';
import { parseKeyringSpec, readSecretsFile } from './secrets.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  keyId: string;
  /** iv (12 bytes) || auth tag (16 bytes) || ciphertext */
  ciphertext: Buffer;
}

/**
 * Encryption keys by id; the newest (last listed) encrypts, every listed key decrypts. A keyring
 * read from a development secrets file re-reads it when it meets a key id it does not know
 * (`corebank keys rotate` may have added one while the server runs).
 */
export class Keyring {
  private keys = new Map<string, Buffer>();
  private active = '';

  constructor(
    spec: string,
    private readonly reload?: () => string | undefined,
  ) {
    this.load(spec);
  }

  private load(spec: string): void {
    const entries = parseKeyringSpec(spec);
    this.keys = new Map(entries.map((e) => [e.id, e.key]));
    this.active = entries[entries.length - 1]!.id;
  }

  get activeKeyId(): string {
    return this.active;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  key(id: string): Buffer {
    let key = this.keys.get(id);
    if (!key && this.reload) {
      const spec = this.reload();
      if (spec) this.load(spec);
      key = this.keys.get(id);
    }
    if (!key) throw new Error(`Encryption key "${id}" is not in the keyring`);
    return key;
  }

  seal(plaintext: string, aad: string): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(this.active), iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.active, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]) };
  }

  open(sealed: Sealed, aad: string): string {
    const { ciphertext } = sealed;
    if (ciphertext.length < IV_BYTES + TAG_BYTES) throw new Error('Ciphertext is too short');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.key(sealed.keyId),
      ciphertext.subarray(0, IV_BYTES),
    );
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(ciphertext.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(ciphertext.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}

export interface PiiCrypto {
  keyring: Keyring;
  /** Keyed HMAC of a normalised value within a domain (e.g. "national_id"). */
  blindIndex(domain: string, value: string): Buffer;
}

const cache = new WeakMap<Config, PiiCrypto>();

/** The PII keyring and blind-index key of a configuration (one instance per config object). */
export function piiCrypto(config: Config): PiiCrypto {
  let pc = cache.get(config);
  if (!pc) {
    const file = config.secretsFile;
    const keyring = new Keyring(
      config.PII_KEYRING,
      file ? () => readSecretsFile(file).piiKeyring : undefined,
    );
    const hmacKey = Buffer.from(config.PII_HMAC_KEY, 'base64');
    pc = {
      keyring,
      blindIndex: (domain, value) => createHmac('sha256', hmacKey).update(`${domain}\0${value}`).digest(),
    };
    cache.set(config, pc);
  }
  return pc;
}

export function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** A URL-safe random token of `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Constant-time string comparison (false on different lengths). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
