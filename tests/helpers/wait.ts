import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../../src/app.js';
import type { MemoryPubSub } from '../../src/pubsub/memory.pubsub.js';

export interface UntilOptions {
  /** 5 s unless told. */
  timeoutMs?: number;
  /** Named in the timeout error: "timed out after 5000 ms waiting for <what>". */
  what?: string;
  intervalMs?: number;
}

/** Polls a condition (a state the test can observe but not await) until it holds. The suite's one wait helper. */
export async function until(condition: () => boolean | Promise<boolean>, options: UntilOptions = {}): Promise<void> {
  const { timeoutMs = 5_000, what = 'a condition', intervalMs = 10 } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Resolves once the server holds `count` pub/sub subscriptions, i.e. subscribing finished. */
export function subscribers(app: App, count: number): Promise<void> {
  return until(() => (app.deps.pubsub as MemoryPubSub).subscriberCount >= count, { what: `${count} pub/sub subscriptions` });
}
