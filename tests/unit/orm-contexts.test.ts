import type { EntityManager } from '@mikro-orm/core';
import { TransactionContext } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { releaseOrmContextsWhenIdle } from '../../src/db/orm-contexts.js';

const em = (id: number) => ({ _id: id, name: 'default' }) as unknown as EntityManager;

describe('releaseOrmContextsWhenIdle', () => {
  it("keeps each open transaction's context until the last one ends, then releases the storage", async () => {
    releaseOrmContextsWhenIdle();
    let endFirst!: () => void;
    let endSecond!: () => void;
    let lateRead!: Promise<EntityManager | undefined>;
    const first = TransactionContext.create(em(1), async () => {
      await new Promise<void>((resolve) => (endFirst = resolve));
      return TransactionContext.getEntityManager();
    });
    const second = TransactionContext.create(em(2), async () => {
      // A continuation of this transaction's chain that runs after every transaction ended.
      lateRead = new Promise<void>((resolve) => setTimeout(resolve, 30)).then(() => TransactionContext.getEntityManager());
      await new Promise<void>((resolve) => (endSecond = resolve));
      return TransactionContext.getEntityManager();
    });
    await new Promise((resolve) => setImmediate(resolve));
    endFirst();
    expect(((await first) as unknown as { _id: number })._id).toBe(1);
    // The first ended: the second still sees its own.
    endSecond();
    expect(((await second) as unknown as { _id: number })._id).toBe(2);
    // None open: the storage was disabled, so nothing carries a stale transaction.
    expect(await lateRead).toBeUndefined();
    // And a new transaction gets its context again.
    expect(((await TransactionContext.create(em(3), async () => TransactionContext.getEntityManager())) as unknown as { _id: number })._id).toBe(3);
  });
});
