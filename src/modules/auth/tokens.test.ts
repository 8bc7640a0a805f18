// Access tokens: what verifies, and that remembering a verified token changes nothing it decides.
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../platform/config.js';
import { signAccessToken, verifyAccessToken } from './tokens.js';

const config = loadConfig({ NODE_ENV: 'test', ACCESS_TOKEN_TTL_SECONDS: '300' });
const claims = {
  userId: '6f1c1f36-3b8a-4d5e-9a53-0c1b2f3e4d5a',
  sessionId: '0b7d6a2e-8c4f-4e1a-b2d3-9f8e7d6c5b4a',
  role: 'customer',
};

afterEach(() => vi.useRealTimers());

describe('access tokens', () => {
  it('verify with their claims, again and again', async () => {
    const { token } = await signAccessToken(config, claims);
    const expected = { userId: claims.userId, sessionId: claims.sessionId };
    expect(await verifyAccessToken(config, token)).toEqual(expected);
    expect(await verifyAccessToken(config, token)).toEqual(expected);
  });

  it('a token that verified before is refused once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { token } = await signAccessToken(config, claims);
    expect(await verifyAccessToken(config, token)).toBeDefined();
    vi.setSystemTime(Date.now() + 301_000 + 5_000);
    expect(await verifyAccessToken(config, token)).toBeUndefined();
    expect(await verifyAccessToken(config, token)).toBeUndefined();
  });

  it('a changed signature, secret or algorithm never verifies, remembered or not', async () => {
    const { token } = await signAccessToken(config, claims);
    await verifyAccessToken(config, token);
    const [h, p, sig] = token.split('.');
    const flipped = `${h}.${p}.${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(await verifyAccessToken(config, flipped)).toBeUndefined();
    const other = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'y'.repeat(40) });
    expect(await verifyAccessToken(other, token)).toBeUndefined();
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expect(await verifyAccessToken(config, none)).toBeUndefined();
  });

  it('a token signed by the right key but for another audience is refused', async () => {
    const foreign = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuer(config.JWT_ISSUER)
      .setAudience('someone-else')
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(new TextEncoder().encode(config.JWT_SECRET));
    expect(await verifyAccessToken(config, foreign)).toBeUndefined();
  });
});
