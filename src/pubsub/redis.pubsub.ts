import { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import type { AsyncQueue } from './async-queue.js';
import { Channels } from './channels.js';
import { ChannelQueue, channelOf } from './memory.pubsub.js';
import type { PubSub } from './pubsub.js';
import type { Topic, TopicPayloads } from './topics.js';

const PREFIX = 'coach:';

/**
 * Pub/sub across instances over Redis. One publisher connection keeps each instance's
 * messages in order; a separate subscriber connection (a subscribed Redis connection
 * takes no other commands) fans messages out to local queues. Redis pub/sub is
 * at-most-once: readers of persisted streams (agent events) fill gaps from the store, and
 * `onGap` listeners (the session cache) hear of every reconnect once the channels are back.
 */
export class RedisPubSub implements PubSub {
  readonly lossy = true;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Channels();
  /** Channels Redis has confirmed: messages published from now on reach them. */
  private readonly confirmed = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private readonly gapListeners = new Set<() => void>();
  private readonly leaving = { left: (queue: ChannelQueue<unknown>) => this.left(queue) };
  /** The subscriber lost its connection since it was last ready: messages of that gap are gone. */
  private interrupted = false;

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    const options = { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false };
    this.publisher = new Redis(url, options);
    // No ready check (INFO) nor CLIENT SETINFO: a SUBSCRIBE written during the handshake puts the
    // connection in subscriber mode, INFO then fails, and the reconnect forgot that channel (ioredis #2037).
    this.subscriber = new Redis(url, { ...options, enableReadyCheck: false, disableClientInfo: true });
    for (const [name, client] of [
      ['publisher', this.publisher],
      ['subscriber', this.subscriber],
    ] as const) {
      client.on('error', (error: Error) => logger.warn({ err: error, client: name }, 'redis connection error'));
    }
    this.subscriber.on('close', () => {
      this.interrupted = true;
    });
    this.subscriber.on('ready', () => this.restore());
    this.subscriber.on('message', (channel: string, message: string) => {
      const local = channel.slice(PREFIX.length);
      if (!this.channels.has(local)) return;
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch (error) {
        logger.warn({ err: error, channel }, 'dropped a malformed pub/sub message');
        return;
      }
      this.channels.push(local, payload);
    });
  }

  /**
   * Calls `listener` after each reconnect of the subscriber, once its channels are subscribed
   * again: messages published in the gap were lost. Returns the function that stops listening.
   */
  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  /**
   * On every ready, subscribes every channel again (Redis ignores repeats): ioredis restores only
   * channels of a connection that had been ready, so one subscribed during a handshake would be lost.
   */
  private restore(): void {
    const gap = this.interrupted;
    this.interrupted = false;
    const channels = [...this.channels.keys()].map((channel) => PREFIX + channel);
    const restoring = (channels.length > 0 ? this.subscriber.subscribe(...channels) : Promise.resolve()).then(
      () => {
        if (!gap) return;
        this.logger.warn({ channels: channels.length }, 'redis subscriber reconnected: messages published while it was away are lost');
        for (const listener of this.gapListeners) listener();
      },
      (error: unknown) => {
        // The connection dropped again: its next ready retries, and still reports the gap.
        this.interrupted ||= gap;
        this.logger.warn({ err: error }, 'redis resubscribe failed');
      },
    );
    this.track(restoring);
  }

  private track(promise: Promise<void>): void {
    this.pending.add(promise);
    const forget = () => this.pending.delete(promise);
    promise.then(forget, forget);
  }

  /** Resolves once both connections answer and every subscription so far is confirmed. */
  async ready(): Promise<void> {
    // The subscriber's ready restores its channels (tracked in pending), so wait for it first.
    if (this.subscriber.status !== 'ready') {
      await new Promise<void>((resolve) => {
        this.subscriber.once('ready', resolve);
        this.subscriber.once('end', resolve);
      });
    }
    await this.publisher.ping();
    await Promise.all([...this.pending]);
  }

  async publish<T extends Topic>(topic: T, key: string, payload: TopicPayloads[T]): Promise<void> {
    await this.publisher.publish(PREFIX + channelOf(topic, key), JSON.stringify(payload));
  }

  subscribe<T extends Topic>(topic: T, key: string): AsyncQueue<TopicPayloads[T]> {
    const channel = channelOf(topic, key);
    const queue = new ChannelQueue<TopicPayloads[T]>(channel, this.leaving);
    if (this.channels.add(channel, queue as AsyncQueue<unknown>)) {
      const confirming = this.subscriber.subscribe(PREFIX + channel).then(
        () => {
          if (this.channels.has(channel)) this.confirmed.add(channel);
        },
        (error: unknown) => {
          this.logger.error({ err: error, channel }, 'redis subscribe failed');
          queue.fail(error);
          throw error;
        },
      );
      // ready() waits for it; a failure reaches ready() and this subscriber, and is not left unhandled.
      this.track(confirming);
    }
    return queue;
  }

  /** The last local subscriber of a channel left: Redis stops sending it here. */
  private left(queue: ChannelQueue<unknown>): void {
    const { channel } = queue;
    if (!this.channels.remove(channel, queue)) return;
    this.confirmed.delete(channel);
    this.subscriber.unsubscribe(PREFIX + channel).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'redis unsubscribe failed'));
  }

  /** Local subscribers on channels Redis has confirmed (tests wait on it before publishing). */
  get subscriberCount(): number {
    let n = 0;
    for (const channel of this.channels.keys()) if (this.confirmed.has(channel)) n += this.channels.count(channel);
    return n;
  }

  async close(): Promise<void> {
    this.channels.endAll();
    this.confirmed.clear();
    this.gapListeners.clear();
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
  }
}
