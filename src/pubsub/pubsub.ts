import type { AsyncQueue } from './async-queue.js';
import type { Topic, TopicPayloads } from './topics.js';

/** Publish after commit; subscribers get every payload published after they subscribed. */
export interface PubSub {
  /** True when a message can be lost (Redis pub/sub during a reconnect): readers of stored streams must poll for gaps. */
  readonly lossy: boolean;
  /** Subscriptions this instance holds that can receive (on Redis: channels it confirmed). */
  readonly subscriberCount: number;
  /** Calls `listener` whenever messages may have been lost (a reconnect), once subscriptions receive again; returns the unsubscribe. */
  onGap(listener: () => void): () => void;
  publish<T extends Topic>(topic: T, key: string, payload: TopicPayloads[T]): Promise<void>;
  /** An iterator that, inside the gateway, can also forward each payload as it comes (AsyncQueue.forward). */
  subscribe<T extends Topic>(topic: T, key: string): AsyncQueue<TopicPayloads[T]>;
  close(): Promise<void>;
}
