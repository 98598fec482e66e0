import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpdatePreferencesDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { OPERATOR_ENV, deposit, loginOperator, openAccount } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic-server.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { converse } from '../helpers/agent.js';
import { chainEnv } from '../helpers/llm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  [openai, anthropic] = await Promise.all([startFakeOpenAi(), startFakeAnthropic()]);
  server = await startTestServer({
    env: { ...chainEnv(openai.baseUrl, anthropic.baseUrl), LLM_COOLDOWN_FAILURES: '1000', SHUTDOWN_GRACE_MS: '500', ...OPERATOR_ENV },
  });
  user = await registerUser(server);
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([openai?.close(), anthropic?.close()]);
});
beforeEach(() => {
  expect(openai.pending()).toBe(0);
  expect(anthropic.pending()).toBe(0);
  openai.reset();
  anthropic.reset();
});

const served = (provider: string, model: string) => ({ provider, model, outcome: 'SERVED', errorCode: null });
const failed = (errorCode: string) => ({ provider: 'primary', model: 'scripted-model', outcome: 'FAILED', errorCode });

describe('a run on a chain of two providers', () => {
  it('falls over at once when a 429 asks to wait past the retry budget: one ProviderFallback before the first token, the backup names the run', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    openai.script([[{ status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'slow down', type: 'rate_limit_exceeded' } } }]]);
    anthropic.script([[{ thinking: 'Answer briefly.' }, { text: 'Hello from the backup.' }]]);
    const run = await converse(server, user.token, session.id, 'hello');
    expect(run.run).toMatchObject({ status: 'SUCCEEDED', provider: 'backup', model: 'claude-fake', error: null });
    expect(run.text).toBe('Hello from the backup.');
    expect(run.run.assistantMessage?.content).toBe('Hello from the backup.');
    expect(run.of('ProviderFallback').map(({ from, to, reason }) => ({ from, to, reason }))).toEqual([
      { from: 'primary', to: 'backup', reason: 'RATE_LIMITED' },
    ]);
    const types = run.events.map((e) => e.__typename);
    expect(types.indexOf('ProviderFallback')).toBeLessThan(types.indexOf('TokenDelta'));
    expect(openai.requests).toHaveLength(1);
    expect(run.run.attempts).toMatchObject([failed('RATE_LIMITED'), served('backup', 'claude-fake')]);
    expect(run.run.attempts.every((a) => a.latencyMs >= 0)).toBe(true);
  });

  it('retries UNAVAILABLE on the same provider with backoff and serves there, with no fallback', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    openai.script([[{ status: 503 }], [{ text: 'Recovered answer' }]]);
    const run = await converse(server, user.token, session.id, 'hello');
    expect(run.run).toMatchObject({ status: 'SUCCEEDED', provider: 'primary', model: 'scripted-model' });
    expect(run.text).toBe('Recovered answer');
    expect(run.of('ProviderFallback')).toEqual([]);
    expect(anthropic.requests).toHaveLength(0);
    expect(run.run.attempts).toMatchObject([failed('UNAVAILABLE'), served('primary', 'scripted-model')]);
  });

  it('retries a TIMEOUT within the budget, then falls over', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    openai.script([[{ stallMs: 3_000 }], [{ stallMs: 3_000 }]]);
    const run = await converse(server, user.token, session.id, 'hello');
    expect(run.run).toMatchObject({ status: 'SUCCEEDED', provider: 'backup' });
    expect(openai.requests).toHaveLength(2);
    expect(run.of('ProviderFallback').map((f) => f.reason)).toEqual(['TIMEOUT']);
    expect(run.run.attempts).toMatchObject([failed('TIMEOUT'), failed('TIMEOUT'), served('backup', 'claude-fake')]);
  });

  it.each([
    ['AUTH', { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } }],
    ['BAD_REQUEST', { status: 400, body: { error: { message: 'tools[0].function.parameters is invalid', type: 'invalid_request_error' } } }],
    ['CONTEXT_TOO_LONG', { status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } } }],
  ])('falls over at once on %s, without retrying the provider', async (errorCode, step) => {
    const session = await createSession(server, user.token, 'GENERAL');
    openai.script([[step]]);
    const run = await converse(server, user.token, session.id, 'hello');
    expect(run.run).toMatchObject({ status: 'SUCCEEDED', provider: 'backup' });
    expect(openai.requests).toHaveLength(1);
    expect(run.of('ProviderFallback').map((f) => f.reason)).toEqual([errorCode]);
    expect(run.run.attempts).toMatchObject([failed(errorCode), served('backup', 'claude-fake')]);
    if (errorCode !== 'CONTEXT_TOO_LONG') {
      expect(server.logs.some((l) => l.level === 50 && String(l.msg).includes(`refused the request (${errorCode})`))).toBe(true);
    }
  });

  it('ends FAILED with the partial answer when the stream breaks after tokens, and never asks the next provider', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    openai.script([[{ text: 'one two three four five six' }, { failAfterChunks: 4 }]]);
    const run = await converse(server, user.token, session.id, 'hello');
    expect(run.run).toMatchObject({ status: 'FAILED', provider: 'primary', error: { code: 'PROVIDER_ERROR' } });
    expect(run.text).toBe('one two three ');
    expect(run.run.assistantMessage?.content).toBe('one two three ');
    expect(run.of('ProviderFallback')).toEqual([]);
    expect(anthropic.requests).toHaveLength(0);
    expect(run.run.attempts).toMatchObject([failed('UNAVAILABLE')]);
  });

  it('executes a tool once across a fallback: the transfer is proposed once and the backup sees its result', async () => {
    const operator = await loginOperator(server);
    const [checking, savings] = [await openAccount(server, user.token), await openAccount(server, user.token)];
    await deposit(server, operator, checking.id, 10_000);
    const session = await createSession(server, user.token, 'COACHING');
    const args = { fromAccountId: checking.id, toAccountId: savings.id, amountMinor: '500', currency: 'USD' };
    openai.script([[{ toolCall: { id: 'call_1', name: 'propose_transfer', arguments: JSON.stringify(args) } }], [{ status: 503 }], [{ status: 502 }]]);
    anthropic.script([[{ text: 'I proposed 5.00 USD to savings: confirm it when ready.' }]]);
    const run = await converse(server, user.token, session.id, 'move 5 dollars to savings');
    expect(run.run).toMatchObject({ status: 'SUCCEEDED', provider: 'backup' });
    expect(run.of('TransferProposed')).toHaveLength(1);
    expect(run.of('ToolCallStarted')).toHaveLength(1);
    expect(run.run.toolCalls).toHaveLength(1);
    expect(run.of('ProviderFallback').map((f) => f.reason)).toEqual(['UNAVAILABLE']);
    const blocks = anthropic.requests[0]!.messages.flatMap((m) => m.content);
    expect(blocks.filter((b) => b.type === 'tool_use')).toEqual([{ type: 'tool_use', id: 'call_1', name: 'propose_transfer', input: args }]);
    expect(blocks.filter((b) => b.type === 'tool_result')).toHaveLength(1);
    expect(run.run.attempts).toMatchObject([
      served('primary', 'scripted-model'),
      failed('UNAVAILABLE'),
      failed('UNAVAILABLE'),
      served('backup', 'claude-fake'),
    ]);
  });

  it("sends whichever provider serves the user's goals, challenges and glossary in the system prompt", async () => {
    await server.ok(
      UpdatePreferencesDocument,
      {
        input: {
          longTermGoals: ['Own a home by 2030'],
          knownChallenges: ['Impulse buying late at night'],
          personalGlossary: [{ term: 'the pot', definition: 'my emergency savings account' }],
        },
      },
      { token: user.token },
    );
    openai.script([[{ status: 401 }]]);
    await converse(server, user.token, (await createSession(server, user.token, 'REFLECTION')).id, 'how did my month go?');
    const system = anthropic.requests[0]?.system ?? '';
    expect(system).toContain('- Own a home by 2030');
    expect(system).toContain('- Impulse buying late at night');
    expect(system).toContain('- the pot: my emergency savings account');
    expect(system).toContain('This is a reflection session');
    expect(openai.requests[0]?.messages[0]?.content).toBe(system);
  });

  it('counts attempts and fallbacks per provider in the metrics', async () => {
    const text = await (await fetch(server.app.metricsUrl!)).text();
    expect(text).toMatch(/coach_llm_attempts_total\{[^}]*provider="primary",outcome="FAILED",error="RATE_LIMITED"[^}]*\} [1-9]/);
    expect(text).toMatch(/coach_llm_attempts_total\{[^}]*provider="backup",outcome="SERVED",error=""[^}]*\} [1-9]/);
    expect(text).toMatch(/coach_llm_fallbacks_total\{[^}]*from="primary",to="backup"[^}]*\} [1-9]/);
  });
});
