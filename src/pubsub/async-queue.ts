interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

/** A reader that takes items as they are pushed, instead of awaiting each (see AsyncQueue.forward). */
export interface Sink<T> {
  accept(item: T): void;
  /** The queue ended; `failure` when it failed. Not called when the reader left (return). */
  ended(failure?: { error: unknown }): void;
}

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;

/**
 * A push-to-pull bridge: producers push, one consumer iterates. `end()` finishes the
 * iteration after what is queued; `return()` (the consumer leaving) drops the rest.
 * Every event of every subscriber passes through here, and thousands of idle ones wait in
 * it, so it allocates little: its arrays exist only while they hold something.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] | undefined;
  /** The one reader waiting as it is (the usual case: no array per idle queue), an array once more wait. */
  private waiting: Waiter<T> | Array<Waiter<T>> | undefined;
  private sink: Sink<T> | undefined;
  private done = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly onClose?: () => void) {}

  get closed(): boolean {
    return this.done;
  }

  get size(): number {
    return this.items?.length ?? 0;
  }

  push(item: T): void {
    if (this.done) return;
    if (this.sink) return this.sink.accept(item);
    const waiter = this.nextWaiter();
    if (waiter) waiter.resolve({ value: item, done: false });
    else if (this.items) this.items.push(item);
    else this.items = [item];
  }

  /** No more items; the consumer still receives what is queued. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.closing();
    const waiting = this.waiting;
    this.waiting = undefined;
    if (Array.isArray(waiting)) for (const waiter of waiting) this.settle(waiter);
    else if (waiting) this.settle(waiting);
    if (this.sink) this.sink.ended(this.takeFailure());
  }

  /** Ends the iteration with an error, after what is queued. */
  fail(error: unknown): void {
    if (this.done) return;
    this.failure = { error };
    this.end();
  }

  /**
   * From now on `sink` takes each item as it is pushed (what is queued first), with no promise
   * per item and none waiting: for a reader inside the gateway that never falls behind. Not
   * mixed with `next()`.
   */
  forward(sink: Sink<T>): void {
    const items = this.items;
    this.items = undefined;
    this.sink = sink;
    for (const item of items ?? []) sink.accept(item);
    if (this.done) sink.ended(this.takeFailure());
  }

  next(): Promise<IteratorResult<T>> {
    const items = this.items;
    if (items) {
      const value = items.shift()!;
      if (items.length === 0) this.items = undefined;
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return new Promise((resolve, reject) => this.settle({ resolve, reject }));
    return new Promise((resolve, reject) => {
      const waiting = this.waiting;
      if (!waiting) this.waiting = { resolve, reject };
      else if (Array.isArray(waiting)) waiting.push({ resolve, reject });
      else this.waiting = [waiting, { resolve, reject }];
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items = undefined;
    this.sink = undefined;
    this.end();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /** Once, when the queue ends or its reader leaves; a subclass holding what to release overrides it instead of a closure per queue. */
  protected closing(): void {
    this.onClose?.();
  }

  /** The longest waiting reader, taken off the list. */
  private nextWaiter(): Waiter<T> | undefined {
    const waiting = this.waiting;
    if (!Array.isArray(waiting)) {
      this.waiting = undefined;
      return waiting;
    }
    const waiter = waiting.shift();
    if (waiting.length === 0) this.waiting = undefined;
    return waiter;
  }

  private takeFailure(): { error: unknown } | undefined {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }

  /** After the end: the failure once (to the first to ask), then done. */
  private settle(waiter: Waiter<T>): void {
    const failure = this.takeFailure();
    if (failure) waiter.reject(failure.error);
    else waiter.resolve(DONE);
  }
}
