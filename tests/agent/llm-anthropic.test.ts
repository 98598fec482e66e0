import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../src/modules/agent/llm/anthropic.provider.js';
import type { ChatMessage, ProviderEvent, ToolDefinition } from '../../src/modules/agent/llm/provider.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic-server.js';
import { hello, plainContext } from '../helpers/llm.js';

const context = plainContext;
const tools: ToolDefinition[] = [{ name: 'list_accounts', description: 'Lists accounts', parameters: { type: 'object', properties: {} } }];

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  expect(fake.pending()).toBe(0);
  fake.reset();
});

const provider = (timeoutMs = 2_000) => new AnthropicProvider({ baseUrl: fake.baseUrl, apiKey: 'sk-ant-test', model: 'claude-fake', timeoutMs });

async function collect(messages: ChatMessage[] = hello, timeoutMs?: number): Promise<{ events: ProviderEvent[]; error?: unknown }> {
  const events: ProviderEvent[] = [];
  try {
    for await (const event of provider(timeoutMs).stream({ messages, tools, context, signal: new AbortController().signal })) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

const joined = (events: ProviderEvent[], type: 'text' | 'reasoning') => events.flatMap((e) => (e.type === type ? [e.delta] : [])).join('');

describe('AnthropicProvider against a scripted Anthropic-compatible server', () => {
  it('streams thinking as reasoning and text as deltas, then the usage the server counted', async () => {
    fake.script([[{ thinking: 'They greet me, I greet back.' }, { text: 'Hello! How are you?' }, { usage: { input_tokens: 42, output_tokens: 7 } }]]);
    const { events, error } = await collect();
    expect(error).toBeUndefined();
    expect(joined(events, 'reasoning')).toBe('They greet me, I greet back.');
    expect(joined(events, 'text')).toBe('Hello! How are you?');
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(1);
    expect(events.at(-1)).toEqual({ type: 'usage', usage: { promptTokens: 42, completionTokens: 7, totalTokens: 49 } });
  });

  it('sends the key, the API version, the system text apart and the tools with their input schema', async () => {
    await collect();
    expect(fake.headers[0]).toMatchObject({ 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' });
    expect(fake.requests[0]).toMatchObject({
      model: 'claude-fake',
      system: 'You are a coach.',
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
      tools: [{ name: 'list_accounts', description: 'Lists accounts', input_schema: { type: 'object', properties: {} } }],
    });
  });

  it('assembles a tool call from input_json_delta pieces, and sends its result back as a tool_result block', async () => {
    fake.script([[{ text: 'Let me look.' }, { toolUse: { id: 'toolu_1', name: 'list_accounts', input: '{"currency":"USD"}', fragments: 4 } }]]);
    const { events } = await collect();
    expect(events.filter((e) => e.type === 'tool_call')).toEqual([
      { type: 'tool_call', call: { id: 'toolu_1', name: 'list_accounts', arguments: '{"currency":"USD"}' } },
    ]);
    fake.script([[{ text: 'You have one account.' }]]);
    const followUp: ChatMessage[] = [
      ...hello,
      { role: 'assistant', content: 'Let me look.', toolCalls: [{ id: 'toolu_1', name: 'list_accounts', arguments: '{"currency":"USD"}' }] },
      { role: 'tool', toolCallId: 'toolu_1', name: 'list_accounts', content: '{"accounts":[]}' },
    ];
    expect(joined((await collect(followUp)).events, 'text')).toBe('You have one account.');
    expect(fake.requests[1]?.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_1', name: 'list_accounts', input: { currency: 'USD' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"accounts":[]}' }] },
    ]);
  });

  it('classifies a 429 as RATE_LIMITED with the retry-after hint, before any output', async () => {
    fake.script([[{ status: 429, retryAfterSec: 7 }]]);
    const { events, error } = await collect();
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', failure: 'RATE_LIMITED', retryAfterMs: 7_000, afterOutput: false });
  });

  it.each([
    [529, undefined, 'UNAVAILABLE'],
    [500, undefined, 'UNAVAILABLE'],
    [401, undefined, 'AUTH'],
    [400, 'prompt is too long: 250000 tokens > 200000 maximum', 'CONTEXT_TOO_LONG'],
    [400, 'tools.0.input_schema: invalid', 'BAD_REQUEST'],
  ])('classifies HTTP %i (%s) as %s', async (status, message, failure) => {
    fake.script([[{ status, message }]]);
    const { error } = await collect();
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', failure, afterOutput: false });
    expect((error as Error).message).toContain(String(status));
  });

  it('reports a stream cut after text as UNAVAILABLE after output', async () => {
    fake.script([[{ text: 'one two three four five six' }, { cutAfterEvents: 4 }]]);
    const { events, error } = await collect();
    expect(joined(events, 'text')).toBe('one two ');
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', failure: 'UNAVAILABLE', afterOutput: true });
  });

  it('reports a stream cut before any output as UNAVAILABLE before output', async () => {
    fake.script([[{ text: 'never seen' }, { cutAfterEvents: 1 }]]);
    const { events, error } = await collect();
    expect(events).toEqual([]);
    expect(error).toMatchObject({ failure: 'UNAVAILABLE', afterOutput: false });
  });
});
