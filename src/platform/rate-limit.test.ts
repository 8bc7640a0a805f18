// The fixed-window limiter, in memory and (when REDIS_URL is set) in Redis.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from './rate-limit.js';

async function exercise(limiter: RateLimiter) {
  const key = `test:${randomUUID()}`;
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await limiter.hit(key, 3, 60_000));
  expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
  expect(results[3]!.retryAfterSeconds).toBeGreaterThan(0);
  expect(results[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
  expect((await limiter.hit(`test:${randomUUID()}`, 3, 60_000)).allowed).toBe(true);
}

describe('rate limiter', () => {
  it('counts in memory', async () => {
    const limiter = createMemoryRateLimiter();
    await exercise(limiter);
    await limiter.close();
  });

  it('starts a new window when the old one ends', async () => {
    const limiter = createMemoryRateLimiter();
    expect((await limiter.hit('k', 1, 30)).allowed).toBe(true);
    expect((await limiter.hit('k', 1, 30)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 40));
    expect((await limiter.hit('k', 1, 30)).allowed).toBe(true);
  });

  // CI runs the suite with and without REDIS_URL; the Redis case exists only in the first run.
  const redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    it('counts in Redis', async () => {
      const limiter = createRedisRateLimiter(redisUrl);
      await exercise(limiter);
      await limiter.close();
    });
  }

  it('fails open when Redis cannot be reached', async () => {
    const limiter = createRedisRateLimiter('redis://127.0.0.1:1');
    const r = await limiter.hit('k', 1, 1000);
    expect(r.allowed).toBe(true);
    await limiter.close();
  });
});
