import { AsyncQueue } from './async-queue.js';
import type { PubSub } from './pubsub.js';
import type { Topic, TopicPayloads } from './topics.js';

/** In-process pub/sub: enough for one instance; the fleet uses the Redis one. */
export class MemoryPubSub implements PubSub {
  readonly lossy = false;
  private readonly channels = new Map<string, Set<AsyncQueue<unknown>>>();

  /** In one process nothing is ever lost. */
  onGap(): () => void {
    return () => {};
  }

  async publish<T extends Topic>(topic: T, key: string, payload: TopicPayloads[T]): Promise<void> {
    for (const queue of this.channels.get(channelOf(topic, key)) ?? []) queue.push(payload);
  }

  subscribe<T extends Topic>(topic: T, key: string): AsyncIterableIterator<TopicPayloads[T]> {
    const channel = channelOf(topic, key);
    const queue: AsyncQueue<TopicPayloads[T]> = new AsyncQueue(() => {
      const set = this.channels.get(channel);
      set?.delete(queue as AsyncQueue<unknown>);
      if (set?.size === 0) this.channels.delete(channel);
    });
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(queue as AsyncQueue<unknown>);
    return queue;
  }

  /** Open subscriptions, for tests and metrics. */
  get subscriberCount(): number {
    let n = 0;
    for (const set of this.channels.values()) n += set.size;
    return n;
  }

  async close(): Promise<void> {
    for (const set of [...this.channels.values()]) for (const queue of [...set]) queue.end();
    this.channels.clear();
  }
}

export function channelOf(topic: Topic, key: string): string {
  return `${topic}:${key}`;
}
