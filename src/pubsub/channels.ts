import type { AsyncQueue } from './async-queue.js';

type Queue = AsyncQueue<unknown>;

/**
 * Each channel's local subscribers, for either pub/sub: a channel's one subscriber as it is (a
 * run is mostly watched by one socket, and thousands are open at once), a Set once it has more.
 */
export class Channels {
  private readonly held = new Map<string, Queue | Set<Queue>>();

  /** True when the channel had no subscriber before. */
  add(channel: string, queue: Queue): boolean {
    const held = this.held.get(channel);
    if (held === undefined) this.held.set(channel, queue);
    else if (held instanceof Set) held.add(queue);
    else if (held !== queue) this.held.set(channel, new Set([held, queue]));
    return held === undefined;
  }

  /** True when the channel has no subscriber left. */
  remove(channel: string, queue: Queue): boolean {
    const held = this.held.get(channel);
    if (held !== queue && !(held instanceof Set && held.delete(queue) && held.size === 0)) return false;
    this.held.delete(channel);
    return true;
  }

  has(channel: string): boolean {
    return this.held.has(channel);
  }

  push(channel: string, item: unknown): void {
    const held = this.held.get(channel);
    if (held instanceof Set) for (const queue of held) queue.push(item);
    else held?.push(item);
  }

  /** Subscribers of `channel`. */
  count(channel: string): number {
    const held = this.held.get(channel);
    return held instanceof Set ? held.size : held ? 1 : 0;
  }

  keys(): IterableIterator<string> {
    return this.held.keys();
  }

  /** Ends every subscriber's queue and forgets them all. */
  endAll(): void {
    const held = [...this.held.values()];
    this.held.clear();
    for (const queues of held) for (const queue of queues instanceof Set ? [...queues] : [queues]) queue.end();
  }
}
