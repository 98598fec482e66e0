import { describe, expect, it } from 'vitest';
import { ProviderChain, type ChainEvent } from '../../src/modules/agent/llm/chain.js';
import { ProviderError, type LlmProvider, type ProviderEvent, type ProviderFailure } from '../../src/modules/agent/llm/provider.js';
import { MemoryCooldowns, type Cooldowns } from '../../src/shared/cooldowns.js';
import { createLogger } from '../../src/shared/logger.js';
import { noMetrics } from '../../src/shared/metrics.js';
import { hello, plainContext } from '../helpers/llm.js';

/** Fails with each class of `failures` in turn, then answers `text`. */
function scripted(name: string, failures: Array<ProviderFailure | 'CANCELLED' | undefined>, text = `answer from ${name}`): LlmProvider & { calls: number } {
  return {
    name,
    model: `${name}-model`,
    calls: 0,
    async *stream(): AsyncGenerator<ProviderEvent> {
      const failure = failures[this.calls++];
      if (failure === 'CANCELLED') throw new ProviderError('CANCELLED', 'cancelled', false);
      if (failure) throw new ProviderError('PROVIDER_ERROR', failure, false, { failure });
      yield { type: 'text', delta: text };
    },
  };
}

const chain = (providers: LlmProvider[], cooldowns: Cooldowns = new MemoryCooldowns({ failures: 1, windowMs: 60_000, cooldownMs: 60_000 })) =>
  new ProviderChain(providers, { retry: { maxRetries: 0, baseMs: 1, budgetMs: 100 }, cooldowns, metrics: noMetrics, logger: createLogger('silent') });

async function run(c: ProviderChain): Promise<{ events: ChainEvent[]; error?: unknown }> {
  const events: ChainEvent[] = [];
  try {
    for await (const event of c.stream({ messages: hello, tools: [], context: plainContext, signal: new AbortController().signal })) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}
const outcomes = (events: ChainEvent[]) => events.flatMap((e) => (e.type === 'attempt' ? [`${e.attempt.provider}:${e.attempt.outcome}`] : []));

describe('ProviderChain', () => {
  it('skips a resting provider while another is left, and tries them all in order once every one rests', async () => {
    const [a, b] = [scripted('a', ['UNAVAILABLE']), scripted('b', [undefined, undefined, 'UNAVAILABLE'])];
    const c = chain([a, b]);
    expect(outcomes((await run(c)).events)).toEqual(['a:FAILED', 'b:SERVED']);
    expect(outcomes((await run(c)).events)).toEqual(['a:SKIPPED_COOLING_DOWN', 'b:SERVED']);
    const third = await run(c);
    expect(outcomes(third.events)).toEqual(['a:SKIPPED_COOLING_DOWN', 'b:FAILED']);
    expect(third.error).toMatchObject({ failure: 'UNAVAILABLE' });
    // Both rest now: a cooldown steers runs, it never refuses one.
    expect(outcomes((await run(c)).events)).toEqual(['a:SERVED']);
  });

  it('tries a provider when the cooldown store fails, rather than failing the run', async () => {
    const broken: Cooldowns = { cooling: () => Promise.reject(new Error('redis down')), failed: () => Promise.reject(new Error('redis down')) };
    const { events, error } = await run(chain([scripted('a', ['RATE_LIMITED']), scripted('b', [])], broken));
    expect(error).toBeUndefined();
    expect(outcomes(events)).toEqual(['a:FAILED', 'b:SERVED']);
  });

  it('neither retries nor falls over on a cancellation', async () => {
    const [a, b] = [scripted('a', ['CANCELLED']), scripted('b', [])];
    const { events, error } = await run(chain([a, b]));
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect(events).toEqual([]);
    expect(b.calls).toBe(0);
  });

  it('does not count BAD_REQUEST or CONTEXT_TOO_LONG towards a cooldown', async () => {
    const a = scripted('a', ['BAD_REQUEST', 'CONTEXT_TOO_LONG']);
    const c = chain([a, scripted('b', [])]);
    await run(c);
    await run(c);
    expect(outcomes((await run(c)).events)).toEqual(['a:SERVED']);
  });
});
