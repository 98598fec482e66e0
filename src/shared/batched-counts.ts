/** One key's share of a sync: `add` hits counted here since the last one, in a window of `windowSec`. */
export interface CountAdd {
  key: string;
  add: number;
  windowSec: number;
}

/** The store's answer for one key: the fleet-wide count after the add, and the ms left in its window. */
export interface CountReply {
  count: number;
  ttlMs: number;
}

/** Adds every key's hits to the shared counters (in one round trip) and answers them in the same order. */
export type CountStore = (adds: CountAdd[]) => Promise<CountReply[]>;

/** How often the hits counted here are added to the shared counters while there are any. */
export const SYNC_MS = 50;
/** The share of a limit an instance may count on its own between two syncs. */
export const SLACK_FRACTION = 0.02;

/**
 * Hits one instance may count for a key before it must sync: 2 % of the limit, at least 1. This
 * is the overshoot bound: in one window a fleet of N instances admits at most
 * limit + N × slackOf(limit) hits of a key (each instance admits on its own at most its slack
 * past what the shared count told it). One instance alone never admits more than the limit.
 */
export function slackOf(limit: number): number {
  return Math.max(1, Math.floor(limit * SLACK_FRACTION));
}

interface KeyCount {
  key: string;
  windowSec: number;
  /** When the window ends: the store's word once synced, a guess before. */
  resetAt: number;
  /** The fleet-wide count as of the last sync (this instance's synced hits included). */
  synced: number;
  /** Counted here, on their way to the store. */
  sending: number;
  /** Counted here since, not yet sent. */
  unsent: number;
}

/** Above this many keys, ended windows are dropped. */
const PRUNE_ABOVE = 10_000;

/**
 * Fixed-window counters shared by a fleet without a round trip per hit: each instance counts
 * locally and adds its counts to the shared store in one batch per SYNC_MS. A hit is admitted
 * when the last shared count plus what this instance counted since is within the limit; an
 * instance that has counted its slack (slackOf) for a key waits for the next sync before
 * counting more, which is what bounds how far a fleet can overshoot. Refused hits count too,
 * as a shared counter that is incremented on every attempt does.
 */
export class BatchedCounts {
  private readonly counts = new Map<string, KeyCount>();
  private readonly pending = new Set<KeyCount>();
  private syncing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly tick = () => {
    this.timer = undefined;
    // A failed sync keeps its hits for the next one; the callers waiting on it are told.
    this.sync().catch(() => {});
  };

  constructor(
    private readonly store: CountStore,
    private readonly syncMs = SYNC_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit of `key`: 0 while within `limit`, else the seconds until its window ends. */
  async consume(key: string, limit: number, windowSec: number): Promise<number> {
    const slack = slackOf(limit);
    let count = this.live(key, windowSec);
    while (count.sending + count.unsent >= slack) {
      await this.sync();
      count = this.live(key, windowSec);
    }
    count.unsent += 1;
    this.pending.add(count);
    this.timer ??= setTimeout(this.tick, this.syncMs).unref();
    if (count.synced + count.sending + count.unsent <= limit) return 0;
    return Math.max(1, Math.ceil((count.resetAt - this.now()) / 1000));
  }

  /** Sends what was counted since the last sync; one sync at a time, shared by whoever asks meanwhile. */
  sync(): Promise<void> {
    return (this.syncing ??= this.send().finally(() => (this.syncing = undefined)));
  }

  /** The last hits go to the store. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.syncing?.catch(() => {});
    if (this.pending.size > 0) await this.sync().catch(() => {});
  }

  private async send(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    for (const count of batch) {
      count.sending = count.unsent;
      count.unsent = 0;
    }
    let replies: CountReply[];
    try {
      replies = await this.store(batch.map(({ key, sending, windowSec }) => ({ key, add: sending, windowSec })));
    } catch (error) {
      for (const count of batch) {
        count.unsent += count.sending;
        count.sending = 0;
        this.pending.add(count);
      }
      this.timer ??= setTimeout(this.tick, this.syncMs).unref();
      throw error;
    }
    const now = this.now();
    batch.forEach((count, i) => {
      const reply = replies[i]!;
      count.synced = reply.count;
      count.sending = 0;
      if (reply.ttlMs > 0) count.resetAt = now + reply.ttlMs;
    });
  }

  private live(key: string, windowSec: number): KeyCount {
    const now = this.now();
    let count = this.counts.get(key);
    if (count && count.resetAt > now) return count;
    // A new window; hits of the old one still unsent go out with the next sync all the same.
    count = { key, windowSec, resetAt: now + windowSec * 1000, synced: 0, sending: 0, unsent: 0 };
    this.counts.set(key, count);
    if (this.counts.size > PRUNE_ABOVE) this.prune(now);
    return count;
  }

  private prune(now: number): void {
    for (const [key, count] of this.counts) if (count.resetAt <= now) this.counts.delete(key);
  }
}
