import type { Topic, TopicPayloads } from './topics.js';

/** Publish after commit; subscribers get every payload published after they subscribed. */
export interface PubSub {
  publish<T extends Topic>(topic: T, key: string, payload: TopicPayloads[T]): Promise<void>;
  subscribe<T extends Topic>(topic: T, key: string): AsyncIterableIterator<TopicPayloads[T]>;
  close(): Promise<void>;
}
