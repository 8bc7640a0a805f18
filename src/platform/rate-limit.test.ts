// The fixed-window limiter, in memory and (when REDIS_URL is set) in Redis.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
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

    it('counts hits sent together exactly once each, and goes on after Redis forgets the script', async () => {
      const limiter = createRedisRateLimiter(redisUrl);
      const key = `test:${randomUUID()}`;
      // Issued in one turn: auto-pipelined into one write.
      const together = await Promise.all(Array.from({ length: 20 }, () => limiter.hit(key, 15, 60_000)));
      expect(together.map((r) => r.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(together.filter((r) => r.allowed)).toHaveLength(15);
      const admin = new Redis(redisUrl);
      await admin.script('FLUSH');
      admin.disconnect();
      expect(await limiter.hit(key, 15, 60_000)).toMatchObject({ count: 21, allowed: false });
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
