import { AsyncLocalStorage } from 'node:async_hooks';
import { TransactionContext, UnitOfWork } from '@mikro-orm/core';

let installed = false;
/** Transactions and flushes under way: while any is, MikroORM's storages stay as they are. */
let inFlight = 0;
/** Set while MikroORM's own code runs synchronously inside a wrapper: the storages it starts are its. */
let capturing = 0;
const storages = new Set<AsyncLocalStorage<unknown>>();

/**
 * MikroORM runs each `transactional()` and each flush inside an AsyncLocalStorage. On Node 20
 * the first `run()` switches async hooks on for the whole process and nothing switches them
 * off, so every promise of every later request pays an init hook (a tenth of a read's CPU).
 * This leaves the storages alone while a transaction or flush is open and disables them once
 * none is: a read between them creates its promises without the hooks; the next run() re-enables.
 */
export function releaseOrmContextsWhenIdle(): void {
  if (installed) return;
  installed = true;
  const run = AsyncLocalStorage.prototype.run;
  // Only records: the storages MikroORM starts from inside the wrappers below.
  AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
    if (capturing > 0) storages.add(this);
    return run.apply(this, args);
  } as typeof run;
  const create = TransactionContext.create.bind(TransactionContext);
  TransactionContext.create = (em, next) => whileOpen(() => create(em, next));
  const commit = UnitOfWork.prototype.commit;
  UnitOfWork.prototype.commit = function (this: UnitOfWork) {
    return whileOpen(() => commit.call(this));
  };
}

function whileOpen<T>(start: () => T): T {
  inFlight++;
  capturing++;
  let result: T;
  try {
    result = start();
  } catch (error) {
    settled();
    throw error;
  } finally {
    capturing--;
  }
  if (result instanceof Promise) return result.finally(settled) as T;
  settled();
  return result;
}

function settled(): void {
  if (--inFlight > 0) return;
  for (const storage of storages) storage.disable();
}
