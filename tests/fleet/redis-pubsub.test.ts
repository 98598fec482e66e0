import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { RedisPubSub } from '../../src/pubsub/redis.pubsub.js';
import { Topic } from '../../src/pubsub/topics.js';
import { createLogger } from '../../src/shared/logger.js';
import { describeNeeding } from '../helpers/components.js';
import { redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';

const open: RedisPubSub[] = [];
const pubsub = () => {
  const created = new RedisPubSub(TEST_REDIS_URL, createLogger('silent'));
  open.push(created);
  return created;
};

describeNeeding(await redisMissing(), 'the Redis pub/sub', () => {
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
  });

  // The gateway awaits ready() before it reports listening: a revocation published by another
  // instance after that must reach every subscription made at start (a cached session is evicted).
  it('is ready only once Redis has confirmed every subscription made so far', async () => {
    const subscriber = pubsub();
    const keys = Array.from({ length: 200 }, () => randomUUID());
    const queues = keys.map((key) => subscriber.subscribe(Topic.SESSION_REVOKED, key));
    await subscriber.ready();
    expect(subscriber.subscriberCount).toBe(keys.length);

    const publisher = pubsub();
    await publisher.publish(Topic.SESSION_REVOKED, keys[199]!, { userId: 'u', sessionIds: ['s'] });
    expect((await queues[199]!.next()).value).toEqual({ userId: 'u', sessionIds: ['s'] });
  });
});
