/**
 * Values by key, each key's one value held as it is and a Set only once it has more: for
 * indexes where thousands of keys are open at once and almost every one has a single value (a
 * pub/sub channel's subscriber, an auth session's socket), so no key costs a Set of its own.
 * A value must not itself be a Set (that is how the two shapes are told apart).
 */
export class LeanMultimap<K, V extends object> {
  private readonly held = new Map<K, V | Set<V>>();

  /** True when the key had no value before. */
  add(key: K, value: V): boolean {
    const held = this.held.get(key);
    if (held === undefined) this.held.set(key, value);
    else if (held instanceof Set) held.add(value);
    else if (held !== value) this.held.set(key, new Set([held, value]));
    return held === undefined;
  }

  /** True when this removal left the key with no value (false for a value it did not hold). */
  remove(key: K, value: V): boolean {
    const held = this.held.get(key);
    if (held !== value && !(held instanceof Set && held.delete(value) && held.size === 0)) return false;
    this.held.delete(key);
    return true;
  }

  has(key: K): boolean {
    return this.held.has(key);
  }

  /** How many values the key has. */
  count(key: K): number {
    const held = this.held.get(key);
    return held instanceof Set ? held.size : held ? 1 : 0;
  }

  /** Keys with at least one value. */
  get size(): number {
    return this.held.size;
  }

  keys(): IterableIterator<K> {
    return this.held.keys();
  }

  /** `fn(value, arg)` for each of the key's values; `arg` spares the caller a closure per call on a hot path. */
  forEach<A>(key: K, fn: (value: V, arg: A) => void, arg: A): void {
    const held = this.held.get(key);
    if (held instanceof Set) for (const value of held) fn(value, arg);
    else if (held !== undefined) fn(held, arg);
  }

  /** The key's values, which it no longer holds. */
  take(key: K): V[] {
    const held = this.held.get(key);
    this.held.delete(key);
    return held instanceof Set ? [...held] : held === undefined ? [] : [held];
  }

  /** Every value of every key, all forgotten. */
  takeAll(): V[] {
    const values = [...this.held.values()].flatMap((held) => (held instanceof Set ? [...held] : [held]));
    this.held.clear();
    return values;
  }
}
