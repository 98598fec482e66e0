import { AsyncQueue } from './async-queue.js';
import type { PubSub } from './pubsub.js';
import type { Topic, TopicPayloads } from './topics.js';

/** A subscriber's queue on one channel: it tells its pub/sub when it closes, with no closure of its own (thousands wait at once). */
export class ChannelQueue<T> extends AsyncQueue<T> {
  constructor(
    readonly channel: string,
    private readonly owner: { left(queue: ChannelQueue<unknown>): void },
  ) {
    super();
  }

  protected override closing(): void {
    this.owner.left(this);
  }
}

/** Takes a closed queue off its channel; true when the channel has no subscriber left. */
export function leave(channels: Map<string, Set<AsyncQueue<unknown>>>, queue: ChannelQueue<unknown>): boolean {
  const set = channels.get(queue.channel);
  set?.delete(queue);
  if (set?.size !== 0) return false;
  channels.delete(queue.channel);
  return true;
}

/** In-process pub/sub: enough for one instance; the fleet uses the Redis one. */
export class MemoryPubSub implements PubSub {
  readonly lossy = false;
  private readonly channels = new Map<string, Set<AsyncQueue<unknown>>>();
  private readonly leaving = { left: (queue: ChannelQueue<unknown>) => leave(this.channels, queue) };

  /** In one process nothing is ever lost. */
  onGap(): () => void {
    return () => {};
  }

  async publish<T extends Topic>(topic: T, key: string, payload: TopicPayloads[T]): Promise<void> {
    for (const queue of this.channels.get(channelOf(topic, key)) ?? []) queue.push(payload);
  }

  subscribe<T extends Topic>(topic: T, key: string): AsyncQueue<TopicPayloads[T]> {
    const channel = channelOf(topic, key);
    const queue = new ChannelQueue<TopicPayloads[T]>(channel, this.leaving);
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
