import { AsyncQueue, type Sink } from './async-queue.js';

export interface ReplayOptions<T extends { seq: number }> {
  /** Subscribed before anything is read from the store: what is published meanwhile is both stored and queued. */
  live: Pick<AsyncQueue<T>, 'forward' | 'return'>;
  /** Stored items with from < seq (< to, when given), in seq order. */
  read(from: number, to?: number): Promise<T[]>;
  /** Deliver only items with a seq above this. */
  after: number;
  /** The stream's last item: delivered, then the stream ends. */
  isLast(item: T): boolean;
  /** The live transport may drop items (even the last one): read the store every pollMs as well. */
  lossy: boolean;
  pollMs: number;
  /** A failed poll; the next one tries again. */
  onError(error: unknown): void;
}

const STORED = Symbol('read from the store');

/**
 * Whether an item of a replayThenLive stream was read from the store (a replay, a filled gap)
 * rather than received live: it was in memory before its reader asked for it, so a writer can
 * hand it over as fast as its reader reads without holding anything more.
 */
export function fromStore(item: object): boolean {
  return (item as { [STORED]?: true })[STORED] === true;
}

/**
 * A stored, seq-numbered stream: replayed from the store, then live, with no gap and no
 * duplicate (seq dedupes what is both stored and queued), until the last item. A seq that
 * skips ahead (only a lossy transport loses one) is filled from the store first. Returning
 * the iterator unsubscribes from `live`. `options` is kept as it is: an object whose methods
 * are read, isLast and onError costs an open stream no closures.
 */
export function replayThenLive<T extends { seq: number }>(options: ReplayOptions<T>): AsyncIterableIterator<T> {
  return new Replay(options);
}

/**
 * The stream as one object: thousands stay open for as long as their runs go on, so the live
 * items come in through `accept` (no promise waiting per stream) and the state is fields, not
 * the closures of a suspended loop.
 */
class Replay<T extends { seq: number }> extends AsyncQueue<T> implements Sink<T> {
  private last: number;
  /** Live items that came while the store was being read, in order; undefined when none is being read. */
  private held: T[] | undefined = [];

  constructor(private readonly options: ReplayOptions<T>) {
    super();
    this.last = Math.max(0, options.after);
    if (options.lossy) this.poll();
    this.readStore(undefined);
    options.live.forward(this);
  }

  accept(item: T): void {
    if (this.closed) return;
    if (this.held) this.held.push(item);
    else if (item.seq > this.last + 1) this.fillGap([], item);
    else this.deliver(item);
  }

  /** The live feed ended: at shutdown; a failure ends the stream with it. */
  ended(failure?: { error: unknown }): void {
    if (failure) this.fail(failure.error);
  }

  protected override closing(): void {
    void this.options.live.return();
  }

  /** True once the last item went out. */
  private deliver(item: T): boolean {
    if (item.seq <= this.last) return false;
    this.last = item.seq;
    this.push(item);
    if (!this.options.isLast(item)) return false;
    this.end();
    return true;
  }

  private fillGap(held: T[], item: T): void {
    this.held = held;
    this.readStore(item);
  }

  /** The store up to `upTo` (all of it without), then `upTo`, then what came live meanwhile. */
  private readStore(upTo: T | undefined): void {
    this.read(this.last, upTo?.seq).then(
      (stored) => {
        for (const item of stored) if (this.deliver(item)) return;
        if (upTo && this.deliver(upTo)) return;
        this.release();
      },
      (error: unknown) => this.fail(error),
    );
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (let i = 0; i < held.length && !this.closed; i++) {
      const item = held[i]!;
      if (item.seq > this.last + 1) return this.fillGap(held.slice(i + 1), item);
      if (this.deliver(item)) return;
    }
  }

  /** Stored items, marked as such (fromStore). */
  private async read(from: number, to?: number): Promise<T[]> {
    const items = await this.options.read(from, to);
    // Not enumerable: invisible to JSON, spreads and resolvers.
    for (const item of items) Object.defineProperty(item, STORED, { value: true });
    return items;
  }

  private poll(): void {
    const timer = setInterval(() => {
      if (this.closed) return clearInterval(timer);
      this.read(this.last)
        .then((items) => {
          for (const item of items) if (this.deliver(item)) break;
        })
        .catch((error: unknown) => this.options.onError(error));
    }, this.options.pollMs);
    timer.unref();
  }
}
