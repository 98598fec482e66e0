import { AsyncQueue } from './async-queue.js';

export interface ReplayOptions<T extends { seq: number }> {
  /** Subscribed before anything is read from the store: what is published meanwhile is both stored and queued. */
  live: AsyncIterableIterator<T>;
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
 * the iterator unsubscribes from `live`.
 */
export function replayThenLive<T extends { seq: number }>(options: ReplayOptions<T>): AsyncIterableIterator<T> {
  const { live, isLast } = options;
  const read = (from: number, to?: number) =>
    options.read(from, to).then((items) => {
      // Not enumerable: invisible to JSON, spreads and resolvers.
      for (const item of items) Object.defineProperty(item, STORED, { value: true });
      return items;
    });
  const out = new AsyncQueue<T>(() => void live.return?.());
  let last = Math.max(0, options.after);
  /** True once the last item went out. */
  const deliver = (item: T): boolean => {
    if (item.seq <= last) return false;
    last = item.seq;
    out.push(item);
    if (isLast(item)) {
      out.end();
      return true;
    }
    return false;
  };
  if (options.lossy) {
    const poll = setInterval(() => {
      if (out.closed) return clearInterval(poll);
      read(last)
        .then((items) => {
          for (const item of items) if (deliver(item)) break;
        })
        .catch(options.onError);
    }, options.pollMs);
    poll.unref();
  }
  // Callbacks, not a suspended async loop: an open stream would keep the loop's frame, and with
  // it the replayed rows (and their renderings), for as long as its run goes on.
  const fail = (error: unknown) => out.fail(error);
  const pump = () => void live.next().then(onLive).catch(fail);
  const onLive = (result: IteratorResult<T>): void => {
    if (result.done || out.closed) return;
    const item = result.value;
    if (item.seq <= last + 1) {
      if (!deliver(item)) pump();
      return;
    }
    void read(last, item.seq)
      .then((missed) => {
        for (const m of missed) if (deliver(m)) return;
        if (!deliver(item)) pump();
      })
      .catch(fail);
  };
  void read(last)
    .then((stored) => {
      for (const item of stored) if (deliver(item)) return;
      pump();
    })
    .catch(fail);
  return out;
}
