import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentEventsDocument,
  AgentRunDocument,
  CancelAgentRunDocument,
  ChatSessionEventsDocument,
  JournalEntriesDocument,
  SendMessageDocument,
  SessionStateDocument,
} from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { converse, expectGaplessSeq, follow } from '../helpers/agent.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import type { TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let fake: FakeOpenAi;
let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 3000, env: { SHUTDOWN_GRACE_MS: '500' } }));
  user = await registerUser(server);
});
afterAll(() => server?.stop());

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i + 1}`).join(' ');
const call = (id: string, name: string, args: unknown, fragments = 3) => ({ toolCall: { id, name, arguments: JSON.stringify(args), fragments } });

describe('agent runs on an OpenAI-compatible provider', () => {
  it('journals through tool calls assembled from fragments, saves only when asked, and streams every step', async () => {
    const session = await createSession(server, user.token, 'JOURNALING');
    fake.script([
      [call('call_1', 'structure_journal', { sections: [{ name: 'Thoughts & Feelings', content: "I'm sad" }] })],
      [{ text: "I'm sorry you're feeling sad. What happened today?" }, { usage: { prompt_tokens: 120, completion_tokens: 12 } }],
    ]);
    const first = await converse(server, user.token, session.id, "create a journal entry to say i'm sad");
    expect(first.run).toMatchObject({ status: 'SUCCEEDED', provider: 'openai', model: 'scripted-model', error: null });
    // Usage adds up over the run's model turns: the tool-call turn's and the answer's.
    const usage = first.run.usage!;
    expect(usage.promptTokens).toBeGreaterThan(120);
    expect(usage.completionTokens).toBeGreaterThanOrEqual(12);
    expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
    expect(first.events.map((e) => e.__typename)).toEqual([
      'RunStarted',
      'ThinkingStep',
      'ToolCallStarted',
      'DraftUpdated',
      'ToolCallFinished',
      'ThinkingStep',
      ...first.of('TokenDelta').map(() => 'TokenDelta'),
      'MessageAdded',
      'RunFinished',
    ]);
    expect(first.of('ThinkingStep').map((s) => [s.label, s.done])).toEqual([
      ['Organising your journal draft', false],
      ['Organising your journal draft', true],
    ]);
    expect(first.of('ToolCallStarted')[0]?.arguments).toEqual({ sections: [{ name: 'Thoughts & Feelings', content: "I'm sad" }] });
    expect(first.of('DraftUpdated')[0]?.draft.sections).toEqual([{ name: 'Thoughts & Feelings', content: "I'm sad" }]);
    expect(first.text).toBe("I'm sorry you're feeling sad. What happened today?");
    expect(first.run.assistantMessage?.content).toBe(first.text);
    expect(first.of('TokenDelta').every((t) => t.messageId === first.run.assistantMessage?.id)).toBe(true);
    // The model saw the tool's result on its second turn.
    const toolMessage = fake.requests.at(-1)?.messages.find((m) => m.role === 'tool');
    expect(JSON.parse(String(toolMessage?.content))).toMatchObject({ emptySections: ['Open Reflection', 'Daily Events'] });

    fake.script([
      [call('call_2', 'structure_journal', { sections: [{ name: 'daily events', content: 'I lost $5000 in the stock market today.' }] })],
      [{ text: 'That is a hard loss. Do you want to save this entry?' }],
    ]);
    const second = await converse(server, user.token, session.id, 'I lost $5000 in the stock market today');
    expect(second.of('DraftUpdated')[0]?.draft.sections).toEqual([
      { name: 'Daily Events', content: 'I lost $5000 in the stock market today.' },
      { name: 'Thoughts & Feelings', content: "I'm sad" },
    ]);

    fake.script([[{ text: "Okay, I won't save it yet." }]]);
    const notYet = await converse(server, user.token, session.id, "no don't save it yet");
    expect(notYet.run.toolCalls).toEqual([]);
    const state = await server.ok(SessionStateDocument, { id: session.id }, { token: user.token });
    expect(state.chatSession.draft?.isEmpty).toBe(false);

    fake.script([[call('call_3', 'save_journal', {})], [{ text: 'Saved your journal entry.' }]]);
    const saved = await converse(server, user.token, session.id, 'save the journal');
    const result = saved.of('ToolCallFinished')[0];
    expect(result).toMatchObject({ tool: 'save_journal', ok: true });
    const entries = await server.ok(JournalEntriesDocument, {}, { token: user.token });
    const entry = entries.journalEntries.edges[0]!.node;
    expect(entry.id).toBe((result?.result as { journalEntryId: string }).journalEntryId);
    expect(entry.sections.map((s) => s.content).join(' ')).toContain("I'm sad");
    expect(entry.sections.map((s) => s.content).join(' ')).toContain('$5000 in the stock market');
    const after = await server.ok(SessionStateDocument, { id: session.id }, { token: user.token });
    expect(after.chatSession.draft?.isEmpty).toBe(true);
    expect(after.chatSession.activeRun).toBeNull();
    // Every message of the conversation is stored, in order.
    expect(after.chatSession.messages.edges.map((e) => e.node.role)).toEqual([
      'USER',
      'ASSISTANT',
      'USER',
      'ASSISTANT',
      'USER',
      'ASSISTANT',
      'USER',
      'ASSISTANT',
    ]);
  });

  it('streams reasoning from either field name as ReasoningDelta events', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    fake.script([[{ reasoning: 'The user greets me.', field: 'reasoning_content' }, { reasoning: ' Answer kindly.', field: 'reasoning' }, { text: 'Hello!' }]]);
    const run = await converse(server, user.token, session.id, 'hi');
    expect(
      run
        .of('ReasoningDelta')
        .map((r) => r.delta)
        .join(''),
    ).toBe('The user greets me. Answer kindly.');
    expect(run.text).toBe('Hello!');
  });

  it('gives a late subscriber and a resuming one every event exactly once, in order', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    fake.script([[{ text: words(40), tokenDelayMs: 15 }]]);
    const sent = await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'talk to me' } }, { token: user.token });
    const runId = sent.sendMessage.id;

    const early = collect(server.ws(user.token), AgentEventsDocument, { runId });
    await early.waitFor(10);
    // Joins mid-run without afterSeq: replay from the store, then live.
    const late = collect(server.ws(user.token), AgentEventsDocument, { runId });
    // Disconnects after a few events and resumes where it stopped.
    const firstClient = server.ws(user.token);
    const partial = collect(firstClient, AgentEventsDocument, { runId });
    const seen = (await partial.waitFor(5)).slice(0, 5);
    await firstClient.dispose();
    const resumed = collect(server.ws(user.token), AgentEventsDocument, { runId, afterSeq: seen.at(-1)!.agentEvents.seq });

    for (const sub of [early, late, resumed]) expect((await sub.ended).error).toBeUndefined();
    const all = early.events.map((e) => e.agentEvents);
    expectGaplessSeq(all);
    expect(all.at(-1)?.__typename).toBe('RunFinished');
    expect(late.events.map((e) => e.agentEvents)).toEqual(all);
    expect([...seen, ...resumed.events].map((e) => e.agentEvents)).toEqual(all);
  });

  it('replays a finished run to a subscriber that arrives afterwards, then completes', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    fake.script([[{ text: 'short answer' }]]);
    const done = await converse(server, user.token, session.id, 'hello');
    const again = await follow(server, user.token, done.run.id);
    expect(again.events).toEqual(done.events);
  });

  it('cancels mid-stream within a second, keeps the partial answer, and frees the session', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    fake.script([[{ text: words(300), tokenDelayMs: 20 }]]);
    const sent = await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'tell me a long story' } }, { token: user.token });
    const sub = collect(server.ws(user.token), AgentEventsDocument, { runId: sent.sendMessage.id });
    await sub.waitFor(8);
    const started = Date.now();
    await server.ok(CancelAgentRunDocument, { id: sent.sendMessage.id }, { token: user.token });
    await sub.ended;
    expect(Date.now() - started).toBeLessThan(1_000);
    const events = sub.events.map((e) => e.agentEvents);
    const finished = events.at(-1);
    expect(finished).toMatchObject({ __typename: 'RunFinished', status: 'CANCELLED' });
    const streamed = events.flatMap((e) => (e.__typename === 'TokenDelta' ? [e.delta] : [])).join('');
    expect(streamed.length).toBeGreaterThan(0);
    const run = (await server.ok(AgentRunDocument, { id: sent.sendMessage.id }, { token: user.token })).agentRun;
    expect(run.status).toBe('CANCELLED');
    expect(run.assistantMessage?.content).toBe(streamed);
    expect(streamed.split(' ').length).toBeLessThan(300);

    fake.script([[{ text: 'Back again.' }]]);
    expect((await converse(server, user.token, session.id, 'are you there?')).run.status).toBe('SUCCEEDED');
  });

  it('retries a provider 500 that came before any token', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const before = fake.requests.length;
    fake.script([[{ status: 500, body: { error: { message: 'overloaded' } } }], [{ status: 429 }], [{ text: 'Recovered.' }]]);
    const run = await converse(server, user.token, session.id, 'hello?');
    expect(run.run.status).toBe('SUCCEEDED');
    expect(run.text).toBe('Recovered.');
    expect(fake.requests.length - before).toBe(3);
  });

  it('fails with PROVIDER_ERROR when the stream breaks after tokens, keeps the partial text, and frees the session', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const before = fake.requests.length;
    fake.script([[{ text: 'This answer will be cut off here and never finish' }, { failAfterChunks: 4 }]]);
    const run = await converse(server, user.token, session.id, 'go');
    expect(run.run.status).toBe('FAILED');
    expect(run.run.error?.code).toBe('PROVIDER_ERROR');
    expect(run.events.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'FAILED', error: { code: 'PROVIDER_ERROR' } });
    expect(fake.requests.length - before).toBe(1);
    expect(run.run.assistantMessage?.content).toBe(run.text);
    fake.script([[{ text: 'Fine now.' }]]);
    expect((await converse(server, user.token, session.id, 'again')).run.status).toBe('SUCCEEDED');
  });

  it('fails with TIMEOUT when the provider stalls', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    fake.script([[{ text: 'Starting' }, { stallMs: 5_000 }, { text: 'too late' }]]);
    const run = await converse(server, user.token, session.id, 'slow please');
    expect(run.run.error?.code).toBe('TIMEOUT');
  });

  it('reports garbage tool arguments to the model as a tool error, and the run goes on', async () => {
    const session = await createSession(server, user.token, 'COACHING');
    fake.script([
      [{ toolCall: { id: 'bad_1', name: 'propose_transfer', arguments: '{"fromAccountId": 12, "amountMinor": "1.5"' } }],
      [call('bad_2', 'propose_transfer', { fromAccountId: 'nope', amountMinor: '12.5', currency: 'usd' })],
      [call('bad_3', 'no_such_tool', {})],
      [{ text: 'Sorry, I could not prepare that.' }],
    ]);
    const run = await converse(server, user.token, session.id, 'send money');
    expect(run.run.status).toBe('SUCCEEDED');
    const finished = run.of('ToolCallFinished');
    expect(finished.map((f) => [f.ok, (f.result as { error: { code: string } }).error.code])).toEqual([
      [false, 'INVALID_ARGUMENTS'],
      [false, 'INVALID_ARGUMENTS'],
      [false, 'UNKNOWN_TOOL'],
    ]);
    const lastRequest = fake.requests.at(-1)!;
    expect(lastRequest.messages.filter((m) => m.role === 'tool')).toHaveLength(3);
  });

  it('stops a run that keeps calling tools after 8 turns with TOOL_LIMIT', async () => {
    const session = await createSession(server, user.token, 'COACHING');
    fake.script(Array.from({ length: 8 }, (_, i) => [call(`loop_${i}`, 'list_accounts', {})]));
    const run = await converse(server, user.token, session.id, 'loop');
    expect(run.run).toMatchObject({ status: 'FAILED', error: { code: 'TOOL_LIMIT' } });
    expect(run.run.toolCalls).toHaveLength(8);
    // An 8th tool-call turn ends the run: a 9th model turn is never asked for.
    expect(fake.pending()).toBe(0);
  });

  it('allows one unfinished run per session and answers a repeated clientMessageId with the first run', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    fake.script([[{ text: words(200), tokenDelayMs: 20 }]]);
    const input = { sessionId: session.id, text: 'first', clientMessageId: 'client-1' };
    const first = await server.ok(SendMessageDocument, { input }, { token: user.token });
    const repeat = await server.ok(SendMessageDocument, { input }, { token: user.token });
    expect(repeat.sendMessage.id).toBe(first.sendMessage.id);
    const other = await server.gql(SendMessageDocument, { input: { sessionId: session.id, text: 'second' } }, { token: user.token });
    expect(other.errors?.[0]?.extensions?.code).toBe('RUN_IN_PROGRESS');
    const state = await server.ok(SessionStateDocument, { id: session.id }, { token: user.token });
    expect(state.chatSession.activeRun?.id).toBe(first.sendMessage.id);
    expect(state.chatSession.messages.edges.filter((e) => e.node.role === 'USER')).toHaveLength(1);
    await server.ok(CancelAgentRunDocument, { id: first.sendMessage.id }, { token: user.token });
    await follow(server, user.token, first.sendMessage.id);
  });

  it('shows other tabs every run of the session, with the assistant message', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const tab = await server.subscribed(() => collect(server.ws(user.token), ChatSessionEventsDocument, { sessionId: session.id }));
    fake.script([[{ text: 'One.' }], [{ text: 'Two.' }]]);
    const a = await converse(server, user.token, session.id, 'first');
    const b = await converse(server, user.token, session.id, 'second');
    const total = a.events.length + b.events.length;
    const events = (await tab.waitFor(total)).map((e) => e.chatSessionEvents);
    expect(events.filter((e) => e.__typename === 'RunFinished').map((e) => e.runId)).toEqual([a.run.id, b.run.id]);
    expect(events.filter((e) => e.__typename === 'MessageAdded')).toHaveLength(2);
    tab.stop();
  });

  it('never lets another user read, follow or cancel a run: NOT_FOUND', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    fake.script([[{ text: 'private' }]]);
    const done = await converse(server, user.token, session.id, 'secret');
    const stranger = await registerUser(server);
    expect((await server.gql(AgentRunDocument, { id: done.run.id }, { token: stranger.token })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(CancelAgentRunDocument, { id: done.run.id }, { token: stranger.token })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(
      (await server.gql(SendMessageDocument, { input: { sessionId: session.id, text: 'hi' } }, { token: stranger.token })).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
    for (const sub of [
      collect(server.ws(stranger.token), AgentEventsDocument, { runId: done.run.id }),
      collect(server.ws(stranger.token), ChatSessionEventsDocument, { sessionId: session.id }),
    ]) {
      await sub.ended;
      expect(sub.events).toEqual([]);
      expect(sub.errors[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });
});
