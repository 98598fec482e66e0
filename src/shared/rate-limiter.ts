/** Counts events per key in fixed windows. The fleet swaps in a Redis-backed one. */
export interface RateLimiter {
  /** Seconds until `key` may act again, or 0 when it is under `limit`. */
  retryAfter(key: string, limit: number): Promise<number>;
  /** Counts one event for `key` in a window of `windowSec`. */
  hit(key: string, windowSec: number): Promise<void>;
  reset(key: string): Promise<void>;
  /** Takes back one event counted for `key` (one that turned out not to count, e.g. a successful sign-in). */
  release(key: string): Promise<void>;
  /** Counts one event and answers in one step: 0 while `key` is within `limit`, else seconds to wait. */
  consume(key: string, limit: number, windowSec: number): Promise<number>;
  /**
   * consume for the per-request limits, without a round trip per request where counts are
   * shared: counted locally and added to the shared counts in batches, so a fleet may admit a
   * little past the limit (bounded: shared/batched-counts.ts). Not for keys that are also
   * released or reset (sign-in), which need consume's exact count.
   */
  consumeBatched(key: string, limit: number, windowSec: number): Promise<number>;
}

interface Window {
  count: number;
  resetAt: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  async retryAfter(key: string, limit: number): Promise<number> {
    const window = this.live(key);
    if (!window || window.count < limit) return 0;
    return Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
  }

  async hit(key: string, windowSec: number): Promise<void> {
    this.count(key, windowSec);
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async release(key: string): Promise<void> {
    const window = this.live(key);
    if (window && window.count > 0) window.count -= 1;
  }

  async consume(key: string, limit: number, windowSec: number): Promise<number> {
    // Counted and read in one synchronous step: parallel calls each see their own count.
    const window = this.count(key, windowSec);
    if (window.count <= limit) return 0;
    return Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
  }

  /** One process counts exactly at no cost. */
  consumeBatched(key: string, limit: number, windowSec: number): Promise<number> {
    return this.consume(key, limit, windowSec);
  }

  private count(key: string, windowSec: number): Window {
    let window = this.live(key);
    if (window) window.count += 1;
    else this.windows.set(key, (window = { count: 1, resetAt: this.now() + windowSec * 1000 }));
    if (this.windows.size > 10_000) this.prune();
    return window;
  }

  private live(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
