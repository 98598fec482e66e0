import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * An EntityManager that is `fork()` called on first use: services hold it from the start, and
 * an operation that reads only through plain SQL (`me`, `accounts`) never builds the fork's
 * unit of work, loaders and copies (issue 30). Methods run bound to the fork itself, so the ORM's
 * internals (entities' owning EntityManager, transactions) only ever see the real one.
 */
export function lazyFork(fork: () => EntityManager): EntityManager {
  let em: EntityManager | undefined;
  const real = (): EntityManager => (em ??= fork());
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy({} as EntityManager, {
    get(_target, key) {
      const target = real();
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function' || key === 'constructor') return value;
      let method = bound.get(key);
      if (method === undefined) bound.set(key, (method = (value as (...args: unknown[]) => unknown).bind(target)));
      return method;
    },
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}
