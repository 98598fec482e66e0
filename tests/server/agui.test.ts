import { HttpAgent, type AgentSubscriber } from '@ag-ui/client';
import { EventType, type BaseEvent } from '@ag-ui/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentRunDocument,
  CancelAgentRunDocument,
  CancelTransferDocument,
  ChatSessionDocument,
  ChatSessionsDocument,
  LogoutDocument,
  SendMessageDocument,
} from '../generated/graphql.js';
import { openAccount } from '../factories/ledger.js';
import { createSession } from '../factories/chat.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { stalledPost } from '../helpers/stalled-stream.js';
import { until } from '../helpers/wait.js';

const MAX_PER_USER = 3;

let server: TestServer;
let fake: FakeOpenAi;
let user: TestUser;
let base: string;

beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({
    llmTimeoutMs: 20_000,
    env: { WS_MAX_SUBSCRIPTIONS_PER_USER: String(MAX_PER_USER), WS_MAX_BUFFERED_BYTES: String(64 * 1024) },
  }));
  user = await registerUser(server);
  base = server.url.replace(/\/graphql$/, '');
});
afterAll(() => server?.stop());

/** AG-UI's own client against POST /agui, recording every event it accepted. */
function agent(token: string | null, threadId = '') {
  const client = new HttpAgent({ url: `${base}/agui`, headers: token ? { authorization: `Bearer ${token}` } : {}, threadId });
  const events: BaseEvent[] = [];
  const subscriber: AgentSubscriber = {
    onEvent: ({ event }) => {
      events.push(event);
    },
  };
  const say = async (text: string) => {
    client.addMessage({ id: crypto.randomUUID(), role: 'user', content: text });
    return client.runAgent({}, subscriber);
  };
  return { client, events, say };
}

const types = (events: BaseEvent[]) => events.map((e) => e.type);
const terminals = (events: BaseEvent[]) => events.filter((e) => e.type === EventType.RUN_FINISHED || e.type === EventType.RUN_ERROR);

interface SseEvent {
  id: number | null;
  event: BaseEvent;
}

/** An SSE body as AG-UI events with the id each carried. */
function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n'))
    .filter((lines) => lines.some((l) => l.startsWith('data: ')))
    .map((lines) => {
      const id = lines.find((l) => l.startsWith('id: '));
      return { id: id ? Number(id.slice(4)) : null, event: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) as BaseEvent };
    });
}

function replay(runId: string, token: string, headers: Record<string, string> = {}, query = '') {
  return fetch(`${base}/agui/runs/${runId}${query}`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, ...headers } });
}

/** A run whose answer is held after its first words until the test releases it. */
function holdAnswer() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  fake.script([[{ text: 'first words ' }, { until: held }, { text: 'and the rest' }, { finishReason: 'stop' }]]);
  return release;
}

async function streamsOpen(): Promise<number> {
  const text = await (await fetch(server.app.metricsUrl!)).text();
  return Number(/^coach_http_subscription_streams\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

describe('POST /agui with @ag-ui/client HttpAgent', () => {
  it('streams a run with reasoning and a tool call in a new GENERAL session, then continues that thread', async () => {
    fake.script([
      [
        { reasoning: 'The user asks about money. ' },
        { reasoning: 'Read the accounts.' },
        { toolCall: { id: 'call_1', name: 'list_accounts', arguments: '{}' } },
      ],
      [{ text: 'You have no accounts yet.' }, { usage: { prompt_tokens: 50, completion_tokens: 6 } }],
    ]);
    const { client, events, say } = agent(user.token);
    await say('what accounts do I have?');

    expect(types(events)[0]).toBe(EventType.RUN_STARTED);
    expect(types(events)).toEqual(
      expect.arrayContaining([
        EventType.REASONING_START,
        EventType.REASONING_MESSAGE_START,
        EventType.REASONING_MESSAGE_CONTENT,
        EventType.REASONING_MESSAGE_END,
        EventType.REASONING_END,
        EventType.TOOL_CALL_START,
        EventType.TOOL_CALL_ARGS,
        EventType.TOOL_CALL_END,
        EventType.TOOL_CALL_RESULT,
        EventType.TEXT_MESSAGE_START,
        EventType.TEXT_MESSAGE_CONTENT,
        EventType.TEXT_MESSAGE_END,
      ]),
    );
    expect(terminals(events)).toEqual([expect.objectContaining({ type: EventType.RUN_FINISHED, outcome: { type: 'success' } })]);
    expect(types(events).at(-1)).toBe(EventType.RUN_FINISHED);
    const reasoning = events.filter((e) => e.type === EventType.REASONING_MESSAGE_CONTENT).map((e) => e.delta as string);
    expect(reasoning.join('')).toBe('The user asks about money. Read the accounts.');
    expect(events.find((e) => e.type === EventType.TOOL_CALL_START)).toMatchObject({ toolCallId: 'call_1', toolCallName: 'list_accounts' });

    // The client's own transcript: the tool call, its result and the streamed answer.
    const answer = client.messages.find((m) => m.role === 'assistant' && m.content === 'You have no accounts yet.');
    expect(answer).toBeDefined();
    expect(client.messages.find((m) => m.role === 'tool')).toMatchObject({ toolCallId: 'call_1' });

    // The thread is a new GENERAL session of the caller; the next run continues it with its history.
    const started = events[0] as BaseEvent & { threadId: string; runId: string };
    const session = (await server.ok(ChatSessionDocument, { id: started.threadId }, { token: user.token })).chatSession;
    expect(session.conversationType).toBe('GENERAL');
    fake.script([[{ text: 'Still none.' }]]);
    client.threadId = started.threadId;
    await say('and now?');
    expect(events.filter((e) => e.type === EventType.RUN_STARTED).at(-1)).toMatchObject({ threadId: started.threadId });
    const seen = fake.requests.at(-1)!.messages.map((m) => m.content);
    expect(seen).toEqual(expect.arrayContaining(['what accounts do I have?', 'You have no accounts yet.', 'and now?']));
  });

  it('hands a proposed transfer to the client as STATE_SNAPSHOT, which the user cancels over GraphQL', async () => {
    const checking = await openAccount(server, user.token, 'USD', 'Checking');
    const savings = await openAccount(server, user.token, 'USD', 'Savings');
    const session = await createSession(server, user.token, 'COACHING');
    const args = { fromAccountId: checking.id, toAccountId: savings.id, amountMinor: '5000', currency: 'USD' };
    fake.script([[{ toolCall: { id: 'call_t', name: 'propose_transfer', arguments: JSON.stringify(args) } }], [{ text: 'Confirm it when ready.' }]]);
    const { client, events, say } = agent(user.token, session.id);
    await say('move 50 dollars to savings');
    const snapshot = events.find((e) => e.type === EventType.STATE_SNAPSHOT) as BaseEvent & { snapshot: { proposedTransfers: Array<{ id: string }> } };
    expect(snapshot.snapshot.proposedTransfers).toEqual([
      expect.objectContaining({ status: 'PENDING_CONFIRMATION', amount: { minor: '5000', currency: 'USD' }, toAccountNumber: savings.number }),
    ]);
    // The client's state is the snapshot.
    expect((client.state as { proposedTransfers: unknown[] }).proposedTransfers).toHaveLength(1);
    const cancelled = await server.ok(CancelTransferDocument, { id: snapshot.snapshot.proposedTransfers[0]!.id }, { token: user.token });
    expect(cancelled.cancelTransfer.status).toBe('CANCELLED');
  });

  it('streams the first run again for the same runId, and refuses a second run while one is unfinished (409 RUN_IN_PROGRESS)', async () => {
    const release = holdAnswer();
    try {
      const session = await createSession(server, user.token, 'GENERAL');
      const body = (runId: string, text: string) =>
        JSON.stringify({ threadId: session.id, runId, tools: [], context: [], messages: [{ id: runId, role: 'user', content: text }] });
      const post = (payload: string) =>
        fetch(`${base}/agui`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${user.token}` },
          body: payload,
        });
      const first = await post(body('client-run-1', 'talk'));
      const busy = await post(body('client-run-2', 'and another thing'));
      expect(busy.status).toBe(409);
      expect(((await busy.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('RUN_IN_PROGRESS');
      release();
      const again = parseSse(await (await post(body('client-run-1', 'talk'))).text());
      const original = parseSse(await first.text());
      expect(again.map((e) => e.event)).toEqual(original.map((e) => e.event));
    } finally {
      release();
    }
  });

  it('finishes a run cancelled with cancelAgentRun with the cancelled outcome, once', async () => {
    const release = holdAnswer();
    try {
      const { events, say } = agent(user.token);
      const running = say('talk to me');
      await until(() => events.some((e) => e.type === EventType.TEXT_MESSAGE_CONTENT), { what: 'the first words' });
      const runId = (events[0] as BaseEvent & { runId: string }).runId;
      await server.ok(CancelAgentRunDocument, { id: runId }, { token: user.token });
      await running;
      expect(terminals(events)).toEqual([expect.objectContaining({ type: EventType.RUN_FINISHED, outcome: { type: 'cancelled' } })]);
      expect(types(events).slice(-2)).toEqual([EventType.TEXT_MESSAGE_END, EventType.RUN_FINISHED]);
    } finally {
      release();
    }
  });

  it('ends a failed run with exactly one RUN_ERROR carrying the run error code', async () => {
    fake.script([[{ text: 'This answer will be cut off here and never finish' }, { failAfterChunks: 4 }]]);
    const { events, say } = agent(user.token);
    await say('go').catch(() => undefined);
    expect(terminals(events)).toEqual([expect.objectContaining({ type: EventType.RUN_ERROR, code: 'PROVIDER_ERROR' })]);
    expect(types(events).at(-1)).toBe(EventType.RUN_ERROR);
  });

  it('refuses before streaming: no token (401), a foreign or unknown thread (404), input that is not a RunAgentInput (400)', async () => {
    const anonymous = agent(null);
    await expect(anonymous.say('hi')).rejects.toMatchObject({ status: 401, payload: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] } });

    const other = await registerUser(server);
    const theirs = await createSession(server, other.token, 'GENERAL');
    await expect(agent(user.token, theirs.id).say('hi')).rejects.toMatchObject({ status: 404, payload: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
    await expect(agent(user.token, crypto.randomUUID()).say('hi')).rejects.toMatchObject({ status: 404 });

    const post = (body: unknown) =>
      fetch(`${base}/agui`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${user.token}` },
        body: JSON.stringify(body),
      });
    const noMessages = await post({ threadId: '', runId: 'r1', tools: [], context: [] });
    expect(noMessages.status).toBe(400);
    expect(((await noMessages.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    const noUserMessage = await post({ threadId: '', runId: 'r1', tools: [], context: [], messages: [{ id: 'm1', role: 'assistant', content: 'hello' }] });
    expect(noUserMessage.status).toBe(400);
    expect(await streamsOpen()).toBe(0);
    const metrics = await (await fetch(server.app.metricsUrl!)).text();
    expect(metrics).toMatch(/coach_graphql_operations_total\{[^}]*transport="agui",type="subscription",operation="AgUiRun",outcome="NOT_FOUND"/);
    expect(metrics).toMatch(/coach_graphql_operations_total\{[^}]*transport="agui",type="subscription",operation="AgUiRun",outcome="ok"/);
  });
});

describe('GET /agui/runs/:runId', () => {
  it('resumes a running run after Last-Event-ID with nothing lost or doubled', async () => {
    const release = holdAnswer();
    try {
      // A client that reads the first words, then loses its connection.
      const abort = new AbortController();
      const response = await fetch(`${base}/agui`, {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ threadId: '', runId: crypto.randomUUID(), tools: [], context: [], messages: [{ id: 'u1', role: 'user', content: 'talk' }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('"TEXT_MESSAGE_CONTENT"')) text += new TextDecoder().decode((await reader.read()).value);
      abort.abort();
      const first = parseSse(text.slice(0, text.lastIndexOf('\n\n') + 2));
      const lastId = first.findLast((e) => e.id !== null)!.id!;
      const runId = (first[0]!.event as BaseEvent & { runId: string }).runId;
      await until(async () => (await streamsOpen()) === 0, { what: 'the left stream to be released' });

      release();
      const resumed = parseSse(await (await replay(runId, user.token, { 'last-event-id': String(lastId) })).text());
      const whole = parseSse(await (await replay(runId, user.token)).text());
      expect([...first, ...resumed].map((e) => e.event)).toEqual(whole.map((e) => e.event));
      expect(whole[0]!.event.type).toBe(EventType.RUN_STARTED);
      expect(terminals(whole.map((e) => e.event))).toHaveLength(1);
      const answer = whole.flatMap((e) => (e.event.type === EventType.TEXT_MESSAGE_CONTENT ? [e.event.delta as string] : [])).join('');
      expect(answer).toBe('first words and the rest');
      // Ids are the stored events' seq, rising; ?after= is the same resume point.
      const ids = whole.flatMap((e) => (e.id === null ? [] : [e.id]));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const middle = ids[Math.floor(ids.length / 2)]!;
      const afterParam = parseSse(await (await replay(runId, user.token, {}, `?after=${middle}`)).text());
      expect(afterParam.map((e) => e.event)).toEqual(whole.slice(whole.findIndex((e) => e.id === middle) + 1).map((e) => e.event));
    } finally {
      release();
    }
  });

  it("answers NOT_FOUND for another user's run, BAD_USER_INPUT for a resume point that is not an id, 401 with no token", async () => {
    fake.script([[{ text: 'Mine.' }]]);
    const { events, say } = agent(user.token);
    await say('hello');
    const runId = (events[0] as BaseEvent & { runId: string }).runId;
    const other = await registerUser(server);
    expect((await replay(runId, other.token)).status).toBe(404);
    expect((await replay(runId, user.token, { 'last-event-id': 'abc' })).status).toBe(400);
    expect((await fetch(`${base}/agui/runs/${runId}`)).status).toBe(401);
  });
});

describe('the limits of the other streams', () => {
  it("counts AG-UI streams against the user's subscription cap, and ends them with RUN_ERROR UNAUTHENTICATED when the session is revoked", async () => {
    const capped = await registerUser(server);
    const release = holdAnswer();
    try {
      const { events, say } = agent(capped.token);
      const running = say('hold on').catch((error: unknown) => error);
      await until(() => events.some((e) => e.type === EventType.TEXT_MESSAGE_CONTENT), { what: 'the first words' });
      const runId = (events[0] as BaseEvent & { runId: string }).runId;
      const replays = [];
      for (let i = 0; i < MAX_PER_USER - 1; i++) replays.push(await replay(runId, capped.token));
      const over = await replay(runId, capped.token);
      expect(over.status).toBe(400);
      expect(((await over.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/Too many open subscriptions for this user/);

      await server.ok(LogoutDocument, {}, { token: capped.token });
      await running;
      expect(terminals(events)).toEqual([expect.objectContaining({ type: EventType.RUN_ERROR, code: 'UNAUTHENTICATED' })]);
      for (const r of replays) expect(terminals(parseSse(await r.text()).map((e) => e.event))).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED' })]);
      await until(async () => (await streamsOpen()) === 0, { what: 'the streams to be released' });
    } finally {
      release();
    }
  });

  it('cuts a reader that stops reading rather than buffering the run for it; the run goes on', { timeout: 60_000 }, async () => {
    const word = 'w'.repeat(200);
    fake.script([[{ text: Array.from({ length: 20_000 }, () => word).join(' ') }]]);
    const body = { threadId: '', runId: crypto.randomUUID(), tools: [], context: [], messages: [{ id: 'u1', role: 'user', content: 'a long story' }] };
    const reader = await stalledPost(server.url, '/agui', 'text/event-stream', user.token, JSON.stringify(body));
    try {
      await until(async () => (await streamsOpen()) === 0, { what: 'the slow reader to be cut' });
      const { text } = await reader.resume();
      expect(text).toMatch(/data: \{"type":"RUN_ERROR","message":"Slow consumer: [^"]*","code":"UNAVAILABLE"\}\n\n$/);
      const runId = (parseSse(text)[0]!.event as BaseEvent & { runId: string }).runId;
      const status = async () => (await server.ok(AgentRunDocument, { id: runId }, { token: user.token })).agentRun.status;
      await until(async () => !['QUEUED', 'RUNNING'].includes(await status()), { what: 'the run to finish', timeoutMs: 30_000 });
      expect(await status()).toBe('SUCCEEDED');
    } finally {
      reader.socket.destroy();
    }
  });

  it('replays a run many times the slow-reader cap to a reader that reads, whole, as fast as it reads', { timeout: 60_000 }, async () => {
    const word = 'r'.repeat(200);
    const answer = Array.from({ length: 20_000 }, () => word).join(' ');
    fake.script([[{ text: answer }]]);
    const session = await createSession(server, user.token, 'GENERAL');
    const runId = (await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'a long story' } }, { token: user.token })).sendMessage.id;
    const status = async () => (await server.ok(AgentRunDocument, { id: runId }, { token: user.token })).agentRun.status;
    await until(async () => !['QUEUED', 'RUNNING'].includes(await status()), { what: 'the run to finish', timeoutMs: 30_000 });
    expect(await status()).toBe('SUCCEEDED');

    // All of it is in the store: the replay is there at once, some 6 MB against a 64 KB cap.
    const events = parseSse(await (await replay(runId, user.token)).text()).map((e) => e.event);
    expect(terminals(events)).toEqual([expect.objectContaining({ type: EventType.RUN_FINISHED, outcome: { type: 'success' } })]);
    expect(events.flatMap((e) => (e.type === EventType.TEXT_MESSAGE_CONTENT ? [e.delta as string] : [])).join('')).toBe(answer);
    expect(await streamsOpen()).toBe(0);
  });

  it('answers a run over the sendMessage rate limit with 429 and Retry-After, leaving no empty conversation behind', async () => {
    const own = await startTestServer({ env: { RATE_LIMIT_SEND_MESSAGE_PER_USER: '1' } });
    try {
      const owner = await registerUser(own);
      const post = () =>
        fetch(`${own.url.replace(/\/graphql$/, '')}/agui`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${owner.token}` },
          body: JSON.stringify({ threadId: '', runId: crypto.randomUUID(), tools: [], context: [], messages: [{ id: 'u1', role: 'user', content: 'hello' }] }),
        });
      const first = await post();
      expect(first.status).toBe(200);
      expect(terminals(parseSse(await first.text()).map((e) => e.event))).toHaveLength(1);
      const limited = await post();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
      expect((await own.ok(ChatSessionsDocument, {}, { token: owner.token })).chatSessions.totalCount).toBe(1);
    } finally {
      await own.stop();
    }
  });

  it('at shutdown ends an AG-UI stream with its run, cancelled after the grace period, once, on a connection that closes', async () => {
    const { fake: ownFake, server: own } = await startScriptedServer({ llmTimeoutMs: 20_000, env: { SHUTDOWN_GRACE_MS: '500' } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    ownFake.script([[{ text: 'first words ' }, { until: held }, { text: 'and the rest' }]]);
    try {
      const owner = await registerUser(own);
      const response = await fetch(`${own.url.replace(/\/graphql$/, '')}/agui`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${owner.token}` },
        body: JSON.stringify({ threadId: '', runId: 'r', tools: [], context: [], messages: [{ id: 'u1', role: 'user', content: 'hello' }] }),
      });
      expect(response.headers.get('connection')).toBe('close');
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('"TEXT_MESSAGE_CONTENT"')) text += new TextDecoder().decode((await reader.read()).value);
      const stopped = own.stop();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
      release();
      await stopped;
      const events = parseSse(text).map((e) => e.event);
      // Running runs get the grace period, then are cancelled, then the HTTP streams drain (an AG-UI stream still open there gets RUN_ERROR UNAVAILABLE).
      expect(terminals(events)).toEqual([expect.objectContaining({ type: EventType.RUN_FINISHED, outcome: { type: 'cancelled' } })]);
      expect(events.at(-1)!.type).toBe(EventType.RUN_FINISHED);
    } finally {
      release();
    }
  });
});
