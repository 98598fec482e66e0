interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;

/**
 * A push-to-pull bridge: producers push, one consumer iterates. `end()` finishes the
 * iteration after what is queued; `return()` (the consumer leaving) drops the rest.
 * Every event of every subscriber passes through here, so it allocates little.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiting: Array<Waiter<T>> = [];
  private done = false;
  private failure: { error: unknown } | undefined;
  private readonly onClose: () => void;

  constructor(onClose: () => void = () => {}) {
    this.onClose = onClose;
  }

  get closed(): boolean {
    return this.done;
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.done) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve({ value: item, done: false });
    else this.items.push(item);
  }

  /** No more items; the consumer still receives what is queued. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    for (const waiter of this.waiting.splice(0)) this.settle(waiter);
  }

  /** Ends the iteration with an error, after what is queued. */
  fail(error: unknown): void {
    if (this.done) return;
    this.failure = { error };
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.done) return new Promise((resolve, reject) => this.settle({ resolve, reject }));
    return new Promise((resolve, reject) => void this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /** After the end: the failure once (to the first to ask), then done. */
  private settle(waiter: Waiter<T>): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) waiter.reject(failure.error);
    else waiter.resolve(DONE);
  }
}
