import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../../src/app.js';
import type { MemoryPubSub } from '../../src/pubsub/memory.pubsub.js';

/** Polls a condition (an event the test cannot await directly) until it holds. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Resolves once the server holds `count` pub/sub subscriptions, i.e. subscribing finished. */
export function subscribers(app: App, count: number): Promise<void> {
  return until(() => (app.deps.pubsub as MemoryPubSub).subscriberCount >= count);
}
