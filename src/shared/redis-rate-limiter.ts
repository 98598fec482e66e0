import { Redis, type ChainableCommander } from 'ioredis';
import { BatchedCounts, type CountAdd, type CountReply } from './batched-counts.js';
import type { RateLimiter } from './rate-limiter.js';

const PREFIX = 'coach:rl:';

/** consume in one command (INCR, EXPIRE NX, PTTL), so auto-pipelining can batch the checks of concurrent requests into one write. */
const CONSUME = `local count = redis.call('incr', KEYS[1])
redis.call('expire', KEYS[1], ARGV[1], 'NX')
return {count, redis.call('pttl', KEYS[1])}`;

/** consumeBatched's sync: one key's hits added at once (INCRBY, EXPIRE NX, PTTL); a sync sends one per key in one pipeline. */
const ADD = `local count = redis.call('incrby', KEYS[1], ARGV[1])
redis.call('expire', KEYS[1], ARGV[2], 'NX')
return {count, redis.call('pttl', KEYS[1])}`;

type LimiterRedis = Redis & { rlConsume(key: string, windowSec: number): Promise<[number, number]> };
type LimiterPipeline = ChainableCommander & { rlAdd(key: string, add: number, windowSec: number): ChainableCommander };

/** Fixed-window counters in Redis, so every instance of a fleet counts the same events. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: LimiterRedis;
  private readonly batched = new BatchedCounts((adds) => this.add(adds));

  constructor(url: string) {
    // Every HTTP operation checks a limit: commands issued in one tick go out in one write.
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true }) as LimiterRedis;
    this.redis.defineCommand('rlConsume', { numberOfKeys: 1, lua: CONSUME });
    this.redis.defineCommand('rlAdd', { numberOfKeys: 1, lua: ADD });
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

  consumeBatched(key: string, limit: number, windowSec: number): Promise<number> {
    return this.batched.consume(key, limit, windowSec);
  }

  private async add(adds: CountAdd[]): Promise<CountReply[]> {
    const pipeline = this.redis.pipeline() as LimiterPipeline;
    for (const { key, add, windowSec } of adds) pipeline.rlAdd(PREFIX + key, add, windowSec);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply]) => {
      if (error) throw error;
      const [count, ttlMs] = reply as [number, number];
      return { count, ttlMs };
    });
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
    await this.batched.close();
    await this.redis.quit().catch(() => undefined);
  }
}
