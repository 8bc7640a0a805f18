// Fixed-window rate limiting: counters live in Redis when REDIS_URL is set (shared by every
// instance behind a load balancer) and in process memory otherwise. If Redis cannot be reached
// the limiter fails open and logs it: rate limits are a brake, the lockout and the database
// remain the guard.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  /** Seconds until the current window ends (what Retry-After says when refused). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one hit on `key`; refuses when more than `limit` hits fall in the window. */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  close(): Promise<void>;
}

const KEY_PREFIX = 'corebank:rl:';

export function createMemoryRateLimiter(): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let lastSweep = Date.now();
  return {
    async hit(key, limit, windowMs) {
      const now = Date.now();
      if (now - lastSweep > 60_000) {
        for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
        lastSweep = now;
      }
      let w = windows.get(key);
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return {
        allowed: w.count <= limit,
        count: w.count,
        retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)),
      };
    },
    async close() {
      windows.clear();
    },
  };
}

const HIT_SCRIPT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {c, ttl}`;

/** The hit script as a command: sent as EVALSHA (ioredis loads the script when Redis lacks it). */
interface WithHitCommand {
  corebankRateLimitHit(key: string, windowMs: string): Promise<[number, number]>;
}

export function createRedisRateLimiter(url: string, log?: Pick<Logger, 'warn'>): RateLimiter {
  // Every money movement counts a hit: auto-pipelining sends the hits of one event-loop turn in
  // one write, and EVALSHA spares Redis hashing the script text on every call.
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
    enableAutoPipelining: true,
  });
  redis.defineCommand('corebankRateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  const commands = redis as Redis & WithHitCommand;
  let warned = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - warned > 60_000) {
      warned = Date.now();
      log?.warn({ message: err.message }, 'rate limiter: redis unavailable');
    }
  });
  return {
    async hit(key, limit, windowMs) {
      try {
        const [count, ttl] = await commands.corebankRateLimitHit(KEY_PREFIX + key, String(windowMs));
        return {
          allowed: count <= limit,
          count,
          retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)),
        };
      } catch (err) {
        if (Date.now() - warned > 60_000) {
          warned = Date.now();
          log?.warn({ message: (err as Error).message }, 'rate limiter: redis failed; allowing the request');
        }
        return { allowed: true, count: 0, retryAfterSeconds: 1 };
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

export function createRateLimiter(opts: {
  redisUrl?: string | undefined;
  log?: Pick<Logger, 'warn'>;
}): RateLimiter {
  return opts.redisUrl ? createRedisRateLimiter(opts.redisUrl, opts.log) : createMemoryRateLimiter();
}
