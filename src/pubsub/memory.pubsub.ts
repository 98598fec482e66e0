import { AsyncQueue } from './async-queue.js';
import { Channels } from './channels.js';
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

/** In-process pub/sub: enough for one instance; the fleet uses the Redis one. */
export class MemoryPubSub implements PubSub {
  readonly lossy = false;
  private readonly channels = new Channels();
  private readonly leaving = { left: (queue: ChannelQueue<unknown>) => this.channels.remove(queue.channel, queue) };

  /** In one process nothing is ever lost. */
  onGap(): () => void {
    return () => {};
  }

  async publish<T extends Topic>(topic: T, key: string, payload: TopicPayloads[T]): Promise<void> {
    this.channels.push(channelOf(topic, key), payload);
  }

  subscribe<T extends Topic>(topic: T, key: string): AsyncQueue<TopicPayloads[T]> {
    const channel = channelOf(topic, key);
    const queue = new ChannelQueue<TopicPayloads[T]>(channel, this.leaving);
    this.channels.add(channel, queue as AsyncQueue<unknown>);
    return queue;
  }

  /** Open subscriptions, for tests and metrics. */
  get subscriberCount(): number {
    let n = 0;
    for (const channel of this.channels.keys()) n += this.channels.count(channel);
    return n;
  }

  async close(): Promise<void> {
    this.channels.endAll();
  }
}

export function channelOf(topic: Topic, key: string): string {
  return `${topic}:${key}`;
}
