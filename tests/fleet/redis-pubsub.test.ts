import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { evictOnRevocation, SessionCache, type CachedSession } from '../../src/modules/auth/session-cache.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { RedisPubSub } from '../../src/pubsub/redis.pubsub.js';
import { Topic } from '../../src/pubsub/topics.js';
import { createLogger } from '../../src/shared/logger.js';
import { describeNeeding } from '../helpers/components.js';
import { redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';
import { until } from '../helpers/wait.js';

const open: RedisPubSub[] = [];
const pubsub = (logger = createLogger('silent')) => {
  const created = new RedisPubSub(TEST_REDIS_URL, logger);
  open.push(created);
  return created;
};
/** The subscriber connection, whose handshake and reconnects these tests drive. */
const subscriberOf = (p: RedisPubSub): Redis => p['subscriber'];

/** Ends the subscriber's connection from the server side, as a Redis restart or a network cut would. */
async function killSubscriberConnection(p: RedisPubSub): Promise<void> {
  const stream = subscriberOf(p).stream as { localAddress?: string; localPort?: number };
  const admin = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await admin.connect();
    expect(await admin.client('KILL', 'ADDR', `${stream.localAddress}:${stream.localPort}`, 'SKIPME', 'yes')).toBe(1);
  } finally {
    admin.disconnect();
  }
}

/** The next value of a subscription, or a failure naming what did not arrive (a lost SUBSCRIBE never delivers). */
async function nextWithin<T>(queue: AsyncIterableIterator<T>, what: string, ms = 3_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing delivered to ${what} within ${ms} ms`)), ms);
  });
  try {
    return (await Promise.race([queue.next(), timeout])).value as T;
  } finally {
    clearTimeout(timer);
  }
}

/** Log lines as parsed objects, for the warnings a reconnect must leave. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

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

  // ioredis issue #2037: a SUBSCRIBE written during the handshake made a ready check fail,
  // and the reconnect that followed did not restore a subscription the connection never had ready.
  it('delivers to a subscription made while the subscriber connection is still in its handshake', async () => {
    const subscriber = pubsub();
    const key = randomUUID();
    await once(subscriberOf(subscriber), 'connect');
    const queue = subscriber.subscribe(Topic.SESSION_REVOKED, key);
    await subscriber.ready();

    await pubsub().publish(Topic.SESSION_REVOKED, key, { userId: 'u', sessionIds: ['s1'] });
    expect(await nextWithin(queue, 'the subscription made at connect')).toEqual({ userId: 'u', sessionIds: ['s1'] });
  });

  it('keeps, across a dropped connection, both the subscriptions it had and one made during the reconnect', async () => {
    const subscriber = pubsub();
    const before = randomUUID();
    const during = randomUUID();
    const old = subscriber.subscribe(Topic.SESSION_REVOKED, before);
    await subscriber.ready();

    const reconnecting = once(subscriberOf(subscriber), 'connect');
    await killSubscriberConnection(subscriber);
    await reconnecting;
    const made = subscriber.subscribe(Topic.SESSION_REVOKED, during);
    await subscriber.ready();

    const publisher = pubsub();
    await publisher.publish(Topic.SESSION_REVOKED, before, { userId: 'u', sessionIds: ['before'] });
    await publisher.publish(Topic.SESSION_REVOKED, during, { userId: 'u', sessionIds: ['during'] });
    expect(await nextWithin(old, 'the subscription made before the drop')).toEqual({ userId: 'u', sessionIds: ['before'] });
    expect(await nextWithin(made, 'the subscription made during the reconnect')).toEqual({ userId: 'u', sessionIds: ['during'] });
  });

  // A revocation published while the subscriber was away never arrives: what the cache trusted may be revoked.
  it('drops the session cache, with a warning, once the subscriber is back after a dropped connection', async () => {
    const { logger, lines } = recordingLogger();
    const subscriber = pubsub(logger);
    const cache = new SessionCache(60_000);
    const stop = evictOnRevocation(cache, subscriber, logger);
    await subscriber.ready();
    const user = { id: 'u', createdAt: new Date(), username: 'u', email: 'u@example.test', role: Role.CUSTOMER };
    const entry = (): CachedSession => ({
      userId: 'u',
      role: Role.CUSTOMER,
      expiresAtMs: Date.now() + 60_000,
      lastSeenAtMs: null,
      checkedAtMs: Date.now(),
      user,
    });
    cache.set('s', entry());
    expect(cache.size).toBe(1);

    await killSubscriberConnection(subscriber);
    await until(() => cache.size === 0, { what: 'the session cache to be dropped after the reconnect' });
    expect(lines.some((line) => line.level === 40 && /session cache/.test(line.msg))).toBe(true);
    // The revocation channel still works after the reconnect.
    cache.set('t', entry());
    await pubsub().publish(Topic.SESSION_REVOKED, 'all', { userId: 'u', sessionIds: ['t'] });
    await until(() => cache.size === 0, { what: 'the revocation to evict the entry' });
    await stop();
  });
});
