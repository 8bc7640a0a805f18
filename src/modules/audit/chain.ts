// The content of an audit row, made canonical, and its hash. The same functions serve the
// writer and the verifier, so a row read back from PostgreSQL (jsonb reorders keys) hashes to
// what was written.
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const GENESIS_HASH = '0'.repeat(64);

const SECRET_KEY = /password|secret|token|^otp$|ciphertext|hmac|authorization|cookie/i;
const NATIONAL_ID_KEY = /^(nationalId|national_id|ssn)$/i;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text PostgreSQL stores exactly as given: no NUL, no lone surrogate. */
export function cleanText(s: string): string {
  return s.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}

function maskValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v);
  if (/^\*\*\*-\*\*-/.test(s)) return s;
  const tail = s.replace(/[^0-9A-Za-z]/g, '').slice(-4);
  return `***-**-${tail}`;
}

const masked = (s: string) => s.includes('***');

/** Personal data the trail keeps only masked (it is append-only: erasure cannot reach it). */
const personalData: Record<string, (v: unknown) => Json> = {
  email: (v) => {
    const s = String(v);
    if (masked(s)) return s;
    const [local = '', domain = ''] = s.split('@');
    return `${local.slice(0, 1)}***@${domain}`;
  },
  phone: (v) =>
    masked(String(v))
      ? String(v)
      : `***${String(v)
          .replace(/[^0-9]/g, '')
          .slice(-2)}`,
  fullName: (v) =>
    masked(String(v))
      ? String(v)
      : String(v)
          .split(/\s+/)
          .filter(Boolean)
          .map((w) => `${[...w][0]}***`)
          .join(' '),
  dateOfBirth: () => '****-**-**',
  address: (v) =>
    v !== null && typeof v === 'object' && 'country' in v
      ? { country: String((v as { country: unknown }).country), rest: '***' }
      : '***',
};

/**
 * Turns any value into plain JSON that survives jsonb unchanged: bigint → string, Date → ISO
 * string, undefined dropped, NUL characters removed; secrets replaced by "[redacted]", national
 * ids, e-mails, phones, names, birth dates and addresses masked — a last guard, whatever the
 * caller passes.
 */
export function toAuditJson(value: unknown, key = ''): Json {
  if (value === null || value === undefined) return null;
  if (key && SECRET_KEY.test(key)) return '[redacted]';
  if (key && NATIONAL_ID_KEY.test(key)) return maskValue(value);
  const mask = key && Object.hasOwn(personalData, key) ? personalData[key] : undefined;
  if (mask) return mask(value);
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'string':
      return cleanText(value);
    case 'object': {
      if (value instanceof Date) return value.toISOString();
      if (Buffer.isBuffer(value)) return '[binary]';
      if (Array.isArray(value)) return value.map((v) => toAuditJson(v));
      const out: { [k: string]: Json } = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) out[cleanText(k)] = toAuditJson(v, k);
      }
      return out;
    }
    default:
      return String(value);
  }
}

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(',')}}`;
}

export interface ChainedContent {
  seq: bigint;
  id: string;
  createdAt: string;
  actorId: string | null;
  actorRole: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  entityType: string;
  entityId: string | null;
  action: string;
  before: Json;
  after: Json;
  prevHash: string;
}

export function auditHash(c: ChainedContent): string {
  const content = [
    c.seq.toString(),
    c.id,
    c.createdAt,
    c.actorId,
    c.actorRole,
    c.ip,
    c.userAgent,
    c.requestId,
    c.entityType,
    c.entityId,
    c.action,
    canonicalJson(c.before),
    canonicalJson(c.after),
    c.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}
