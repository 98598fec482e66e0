/**
 * A push-to-pull bridge: producers push, one consumer iterates. `end()` finishes the
 * iteration after what is queued; `return()` (the consumer leaving) drops the rest.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiting: Array<(result: IteratorResult<T>) => void> = [];
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
    if (waiter) waiter({ value: item, done: false });
    else this.items.push(item);
  }

  /** No more items; the consumer still receives what is queued. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true });
  }

  /** Ends the iteration with an error, after what is queued. */
  fail(error: unknown): void {
    if (this.done) return;
    this.failure = { error };
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) =>
      this.waiting.push((result) => {
        if (result.done && this.failure) {
          const { error } = this.failure;
          this.failure = undefined;
          reject(error);
        } else resolve(result);
      }),
    );
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
