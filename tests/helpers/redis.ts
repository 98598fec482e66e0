import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether the machine's Redis answers; fleet tests say they were skipped when it does not. */
export async function redisAvailable(): Promise<boolean> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Undefined when Redis answers; otherwise why a fleet test cannot run (see describeNeeding). */
export async function redisMissing(): Promise<string | undefined> {
  return (await redisAvailable()) ? undefined : `needs Redis: none answers at ${TEST_REDIS_URL} (start it: redis-server --daemonize yes)`;
}

/** The value Redis holds at `key` (a rate-limit counter, say), read on a connection of the test's own. */
export async function redisGet(key: string): Promise<string | null> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
  try {
    await redis.connect();
    return await redis.get(key);
  } finally {
    redis.disconnect();
  }
}
