// Access tokens (JWT, HS256 pinned, iss/aud/exp checked, ≤ 15 minutes), opaque refresh tokens
// (stored as SHA-256 hashes) and the CSRF token of a browser session (an HMAC of its id).
import { randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { setBounded } from '../../platform/bounded-map.js';
import type { Config } from '../../platform/config.js';
import { hmacSha256, randomToken, sha256 } from '../../platform/crypto.js';
import { isUuid } from '../../platform/ids.js';

export const ACCESS_TOKEN_ALGORITHM = 'HS256';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

// The HMAC key, imported into WebCrypto once per configuration. Handing jose the raw bytes
// instead makes it import them again for every signature it checks: an extra asynchronous
// WebCrypto job that doubled the cost of a first-seen token's check (0.15 against 0.07 ms of
// CPU each, 32 checks in flight).
const keys = new WeakMap<Config, Promise<webcrypto.CryptoKey>>();
function signingKey(config: Config): Promise<webcrypto.CryptoKey> {
  let key = keys.get(config);
  if (!key) {
    key = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(config.JWT_SECRET),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    keys.set(config, key);
  }
  return key;
}

export async function signAccessToken(
  config: Config,
  claims: AccessClaims & { role: string },
): Promise<{ token: string; expiresIn: number }> {
  const expiresIn = config.ACCESS_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ sid: claims.sessionId, role: claims.role })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${expiresIn}s`)
    .setJti(randomUUID())
    .sign(await signingKey(config));
  return { token, expiresIn };
}

const CLOCK_TOLERANCE_SECONDS = 5;

// Tokens that verified, by their text, until they expire. A client sends the same token with
// every request for its whole life, and checking its HMAC (through WebCrypto, in jose) costs more
// than the rest of the authentication; remembering the outcome of a successful check changes
// nothing it decides: the expiry is checked again on every use, and the session the token names
// is still looked up in the database on every request. Bounded: the oldest entries go first.
const MAX_REMEMBERED = 10_000;
const remembered = new WeakMap<Config, Map<string, { claims: AccessClaims; exp: number }>>();

function rememberedFor(config: Config) {
  let m = remembered.get(config);
  if (!m) {
    m = new Map();
    remembered.set(config, m);
  }
  return m;
}

/**
 * The claims of a valid access token, or undefined: bad signature, another algorithm (none
 * included), wrong issuer or audience, expired, or missing claims. The session it names must
 * still be checked against the database.
 */
export async function verifyAccessToken(config: Config, token: string): Promise<AccessClaims | undefined> {
  if (token.length > 4096) return undefined;
  const known = rememberedFor(config);
  const hit = known.get(token);
  if (hit) {
    if (Date.now() / 1000 < hit.exp + CLOCK_TOLERANCE_SECONDS) return hit.claims;
    known.delete(token);
    return undefined;
  }
  try {
    const { payload } = await jwtVerify(token, await signingKey(config), {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub', 'sid'],
      maxTokenAge: `${config.ACCESS_TOKEN_TTL_SECONDS + 60}s`,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const { sub, sid, exp } = payload;
    if (typeof sub !== 'string' || typeof sid !== 'string' || !isUuid(sub) || !isUuid(sid)) return undefined;
    const claims = { userId: sub, sessionId: sid };
    if (typeof exp === 'number') {
      setBounded(known, token, { claims, exp }, MAX_REMEMBERED);
    }
    return claims;
  } catch {
    return undefined;
  }
}

export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = randomToken(32);
  return { token, hash: sha256(token) };
}

export const refreshTokenHash = (token: string): Buffer => sha256(token);

/** The CSRF token of a session: an HMAC of its id, so it cannot be planted by another site. */
export function csrfTokenFor(config: Config, sessionId: string): string {
  return hmacSha256(config.JWT_SECRET, `corebank-csrf:${sessionId}`).toString('base64url');
}
