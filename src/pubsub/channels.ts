import { LeanMultimap } from '../shared/lean-multimap.js';
import type { AsyncQueue } from './async-queue.js';

type Queue = AsyncQueue<unknown>;

const pushTo = (queue: Queue, item: unknown) => queue.push(item);

/**
 * Each channel's local subscribers, for either pub/sub: a channel's one subscriber as it is (a
 * run is mostly watched by one socket, and thousands are open at once), a Set once it has more.
 */
export class Channels extends LeanMultimap<string, Queue> {
  push(channel: string, item: unknown): void {
    this.forEach(channel, pushTo, item);
  }

  /** Ends every subscriber's queue and forgets them all. */
  endAll(): void {
    for (const queue of this.takeAll()) queue.end();
  }
}
