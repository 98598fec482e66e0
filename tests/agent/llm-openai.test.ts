import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiProvider, type OpenAiProviderOptions } from '../../src/modules/agent/llm/openai.provider.js';
import { ProviderError, type ChatMessage, type ProviderEvent, type ToolDefinition } from '../../src/modules/agent/llm/provider.js';
import { ProviderChain, type ChainEvent } from '../../src/modules/agent/llm/chain.js';
import { MemoryCooldowns } from '../../src/shared/cooldowns.js';
import { createLogger } from '../../src/shared/logger.js';
import { noMetrics } from '../../src/shared/metrics.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { hello, plainContext } from '../helpers/llm.js';

const context = plainContext;
const tools: ToolDefinition[] = [
  { name: 'list_accounts', description: 'Lists accounts', parameters: { type: 'object', properties: {} } },
  { name: 'monthly_summary', description: 'Sums by month', parameters: { type: 'object', properties: { months: { type: 'integer' } } } },
];

let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  expect(fake.pending()).toBe(0);
  fake.reset();
});

function bare(overrides: Partial<OpenAiProviderOptions> = {}) {
  return new OpenAiProvider({ baseUrl: fake.baseUrl, apiKey: 'test-key', model: 'fake-model', timeoutMs: 2_000, ...overrides });
}

/** The provider as the agent uses it: a chain of one, which owns the retries. */
function provider(overrides: Partial<OpenAiProviderOptions> & { maxRetries?: number; retryBaseMs?: number } = {}) {
  const { maxRetries = 2, retryBaseMs = 5, ...options } = overrides;
  return new ProviderChain([bare(options)], {
    retry: { maxRetries, baseMs: retryBaseMs, budgetMs: 60_000 },
    cooldowns: new MemoryCooldowns({ failures: 1_000, windowMs: 60_000, cooldownMs: 1_000 }),
    metrics: noMetrics,
    logger: createLogger('silent'),
  });
}

/** The model's events; the chain's own records (attempts, fallbacks) are tested in chain tests. */
async function collect(stream: AsyncIterable<ChainEvent>): Promise<{ events: ProviderEvent[]; error?: unknown }> {
  const events: ProviderEvent[] = [];
  try {
    for await (const event of stream) if (event.type !== 'attempt' && event.type !== 'fallback') events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

const textOf = (events: ProviderEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
const reasoningOf = (events: ProviderEvent[]) => events.flatMap((e) => (e.type === 'reasoning' ? [e.delta] : [])).join('');

describe('OpenAiProvider against a scripted OpenAI-compatible server', () => {
  it('streams text as deltas in order and reports usage last', async () => {
    fake.script([[{ text: 'Hello, how can I help you today?' }, { usage: { prompt_tokens: 12, completion_tokens: 8 } }]]);
    const { events, error } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(3);
    expect(textOf(events)).toBe('Hello, how can I help you today?');
    expect(events.at(-1)).toEqual({ type: 'usage', usage: { promptTokens: 12, completionTokens: 8, totalTokens: 20 } });
  });

  it('sends the model, the mapped messages, the tools, stream and include_usage, and the API key', async () => {
    fake.script([[{ text: 'ok' }]]);
    const messages: ChatMessage[] = [
      ...hello,
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'list_accounts', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call_1', name: 'list_accounts', content: '{"accounts":[]}' },
    ];
    await collect(provider().stream({ messages, tools, context, signal: new AbortController().signal }));
    const body = fake.requests[0]!;
    expect(body.model).toBe('fake-model');
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'list_accounts', description: 'Lists accounts', parameters: { type: 'object', properties: {} } } },
      { type: 'function', function: { name: 'monthly_summary', description: 'Sums by month', parameters: tools[1]!.parameters } },
    ]);
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are a coach.' },
      { role: 'user', content: 'Hello there' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'list_accounts', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"accounts":[]}' },
    ]);
    expect(fake.authorizations.at(-1)).toBe('Bearer test-key');
  });

  it('assembles two parallel tool calls from interleaved fragments, keyed by index', async () => {
    fake.script([
      [
        { text: 'Let me look. ' },
        {
          toolCalls: [
            { id: 'call_a', name: 'list_accounts', arguments: '{"includeClosed":false}', fragments: 4 },
            { id: 'call_b', name: 'monthly_summary', arguments: '{"months":3}', fragments: 3 },
          ],
        },
      ],
    ]);
    const { events, error } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    const calls = events.flatMap((e) => (e.type === 'tool_call' ? [e.call] : []));
    expect(calls).toEqual([
      { id: 'call_a', name: 'list_accounts', arguments: '{"includeClosed":false}' },
      { id: 'call_b', name: 'monthly_summary', arguments: '{"months":3}' },
    ]);
    expect(textOf(events)).toBe('Let me look. ');
    // Each call is emitted once, after the text, fully assembled.
    expect(events.findIndex((e) => e.type === 'tool_call')).toBeGreaterThan(events.findIndex((e) => e.type === 'text'));
  });

  it("treats a tool call without arguments as '{}'", async () => {
    fake.script([[{ toolCall: { id: 'call_x', name: 'list_accounts', arguments: '' } }]]);
    const { events } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(events.filter((e) => e.type === 'tool_call')).toEqual([{ type: 'tool_call', call: { id: 'call_x', name: 'list_accounts', arguments: '{}' } }]);
  });

  it.each(['reasoning_content', 'reasoning'] as const)('streams reasoning sent as delta.%s', async (field) => {
    fake.script([[{ reasoning: 'The user greets me, so I greet back.', field }, { text: 'Hi!' }]]);
    const { events, error } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'reasoning').length).toBeGreaterThan(1);
    expect(reasoningOf(events)).toBe('The user greets me, so I greet back.');
    expect(textOf(events)).toBe('Hi!');
  });

  it('retries a 500 before any output and succeeds (two requests)', async () => {
    fake.script([[{ status: 500 }], [{ text: 'Recovered answer' }]]);
    const { events, error } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Recovered answer');
    expect(fake.requests).toHaveLength(2);
  });

  it('retries a 429 and a connection cut before any output', async () => {
    fake.script([
      [{ status: 429, body: { error: { message: 'slow down', type: 'rate_limit_exceeded' } } }],
      [{ failAfterChunks: 1 }, { text: 'never' }],
      [{ text: 'Third time lucky' }],
    ]);
    const { events, error } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Third time lucky');
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up after maxRetries with PROVIDER_ERROR, afterOutput false', async () => {
    fake.script([[{ status: 503 }], [{ status: 502 }]]);
    const { events, error } = await collect(provider({ maxRetries: 1 }).stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', afterOutput: false });
    expect((error as Error).message).toContain('502');
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    fake.script([[{ status: 400, body: { error: { message: 'bad tool schema', type: 'invalid_request_error' } } }]]);
    const { error } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', afterOutput: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('fails with PROVIDER_ERROR afterOutput=true and no retry when the stream breaks after text', async () => {
    fake.script([[{ text: 'one two three four five six' }, { failAfterChunks: 4 }]]);
    const { events, error } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(textOf(events)).toBe('one two three ');
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', afterOutput: true });
    // A retry would have been served the echo turn.
    expect(fake.requests).toHaveLength(1);
  });

  it('fails with PROVIDER_ERROR when the server sends an error object mid-stream', async () => {
    fake.script([[{ text: 'Partial ' }, { streamError: { message: 'model overloaded' } }]]);
    const { events, error } = await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(textOf(events)).toBe('Partial ');
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', afterOutput: true });
    expect((error as Error).message).toContain('model overloaded');
  });

  it('ends with TIMEOUT when no chunk arrives within timeoutMs', async () => {
    fake.script([[{ text: 'Thinking' }, { stallMs: 2_000 }, { text: 'too late' }]]);
    const started = Date.now();
    const { events, error } = await collect(provider({ timeoutMs: 150 }).stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(textOf(events)).toBe('Thinking');
    expect(error).toMatchObject({ code: 'TIMEOUT', afterOutput: true });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fake.requests).toHaveLength(1);
  });

  it('does not count time the consumer spends handling events as server silence', async () => {
    fake.script([[{ text: 'slow reader here' }]]);
    const events: ProviderEvent[] = [];
    for await (const event of bare({ timeoutMs: 100 }).stream({ messages: hello, tools, context, signal: new AbortController().signal })) {
      events.push(event);
      if (events.length === 1) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(textOf(events)).toBe('slow reader here');
  });

  it('times out a stall before the first chunk without retrying it', async () => {
    fake.script([[{ stallMs: 1_000 }, { text: 'late' }]]);
    const { events, error } = await collect(bare({ timeoutMs: 100 }).stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: 'TIMEOUT', afterOutput: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('stops within milliseconds when the signal aborts mid-stream', async () => {
    fake.script([[{ text: 'word '.repeat(200), tokenDelayMs: 20 }]]);
    const abort = new AbortController();
    const events: ProviderEvent[] = [];
    let caught: unknown;
    let abortedAt = 0;
    try {
      for await (const event of bare().stream({ messages: hello, tools, context, signal: abort.signal })) {
        events.push(event);
        if (events.length === 3) {
          abortedAt = performance.now();
          abort.abort();
        }
      }
    } catch (error) {
      caught = error;
    }
    const stoppedAfter = performance.now() - abortedAt;
    expect(caught).toMatchObject({ code: 'CANCELLED', afterOutput: true, name: 'AbortError' });
    expect(events).toHaveLength(3);
    expect(stoppedAfter).toBeLessThan(100);
    // The server saw the client go away: it stops writing long before its 200 words.
    await expect.poll(() => fake.sentAt.filter((c) => c.request === fake.served() - 1 && c.kind === 'text').length < 20).toBe(true);
  });

  it('stops promptly when aborted while waiting to retry', async () => {
    fake.script([[{ status: 500 }]]);
    const abort = new AbortController();
    const slow = provider({ retryBaseMs: 5_000 });
    setTimeout(() => abort.abort(), 50);
    const started = Date.now();
    const { error } = await collect(slow.stream({ messages: hello, tools, context, signal: abort.signal }));
    expect(error).toMatchObject({ code: 'CANCELLED', afterOutput: false });
    expect(Date.now() - started).toBeLessThan(500);
    expect(fake.requests).toHaveLength(1);
  });

  it('records when each chunk was sent, for latency measurements', async () => {
    fake.script([[{ text: 'a b c' }]]);
    await collect(provider().stream({ messages: hello, tools, context, signal: new AbortController().signal }));
    const request = fake.served() - 1;
    const chunks = fake.sentAt.filter((c) => c.request === request);
    expect(chunks.map((c) => c.kind)).toEqual(['role', 'text', 'text', 'text', 'finish', 'usage']);
    expect(chunks.every((c, i) => i === 0 || c.at >= chunks[i - 1]!.at)).toBe(true);
  });
});
