import { Redis } from 'ioredis';
import type { RateLimiter } from './rate-limiter.js';

const PREFIX = 'coach:rl:';

/** consume in one command (INCR, EXPIRE NX, PTTL), so auto-pipelining can batch the checks of concurrent requests into one write. */
const CONSUME = `local count = redis.call('incr', KEYS[1])
redis.call('expire', KEYS[1], ARGV[1], 'NX')
return {count, redis.call('pttl', KEYS[1])}`;

type LimiterRedis = Redis & { rlConsume(key: string, windowSec: number): Promise<[number, number]> };

/** Fixed-window counters in Redis, so every instance of a fleet counts the same events. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: LimiterRedis;

  constructor(url: string) {
    // Every HTTP operation checks a limit: commands issued in one tick go out in one write.
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true }) as LimiterRedis;
    this.redis.defineCommand('rlConsume', { numberOfKeys: 1, lua: CONSUME });
    this.redis.on('error', () => {
      // Reported by the commands that fail; a limiter must not crash the process.
    });
  }

  async retryAfter(key: string, limit: number): Promise<number> {
    const [count, ttl] = await this.redis
      .multi()
      .get(PREFIX + key)
      .pttl(PREFIX + key)
      .exec()
      .then((r) => r!.map(([, v]) => v));
    if (Number(count ?? 0) < limit) return 0;
    return Math.max(1, Math.ceil(Number(ttl) / 1000));
  }

  async hit(key: string, windowSec: number): Promise<void> {
    // NX: the window starts with its first event and is not extended by later ones.
    await this.redis
      .multi()
      .incr(PREFIX + key)
      .expire(PREFIX + key, windowSec, 'NX')
      .exec();
  }

  async consume(key: string, limit: number, windowSec: number): Promise<number> {
    const [count, ttl] = await this.redis.rlConsume(PREFIX + key, windowSec);
    if (count <= limit) return 0;
    return Math.max(1, Math.ceil(ttl / 1000));
  }

  async release(key: string): Promise<void> {
    // Never below zero, and never a key without its expiry (a bare DECR would create one).
    await this.redis.eval(
      "if redis.call('get', KEYS[1]) and tonumber(redis.call('get', KEYS[1])) > 0 then return redis.call('decr', KEYS[1]) end return 0",
      1,
      PREFIX + key,
    );
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(PREFIX + key);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
