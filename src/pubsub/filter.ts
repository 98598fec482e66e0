/** Passes on only the items `keep` accepts; closing it closes the source (no leaked subscriptions). */
export function filterIterator<T>(source: AsyncIterableIterator<T>, keep: (item: T) => boolean): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: () => source.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** Passes every item on and ends after the first that `last` accepts, closing the source then. */
export function endAfter<T>(source: AsyncIterableIterator<T>, last: (item: T) => boolean): AsyncIterableIterator<T> {
  let ended = false;
  const close = () => source.return?.() ?? Promise.resolve({ value: undefined, done: true as const });
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (ended) {
        await close();
        return { value: undefined, done: true };
      }
      const result = await source.next();
      if (!result.done && last(result.value)) ended = true;
      return result;
    },
    return: close,
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
