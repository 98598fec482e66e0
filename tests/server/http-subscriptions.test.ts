import { ApolloClient, HttpLink } from '@apollo/client';
import { print } from 'graphql';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentEventsDocument, AuthSessionEventsDocument, LogoutDocument, type AgentEventsSubscription } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { agentEventsCache, expectGaplessSeq } from '../helpers/agent.js';
import { heldRun as heldScriptedRun, startScriptedServer } from '../helpers/scripted-llm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { MULTIPART, multipartRequest } from '../helpers/multipart.js';
import { until } from '../helpers/wait.js';

type AgentEvent = AgentEventsSubscription['agentEvents'];

const MAX_PER_USER = 3;

let server: TestServer;
let user: TestUser;
let fake: FakeOpenAi;

beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 20_000, env: { WS_MAX_SUBSCRIPTIONS_PER_USER: String(MAX_PER_USER) } }));
  user = await registerUser(server);
});
afterAll(() => server?.stop());

const heldRun = (token: string) => heldScriptedRun(server, fake, token);

const multipart = (body: object, headers: Record<string, string>) => multipartRequest(server.url, body, headers);

describe('subscriptions over HTTP with Apollo multipart', () => {
  it("streams a run's agentEvents to Apollo Client's plain HttpLink (no WebSocket), and resumes with afterSeq", async () => {
    const { runId, release } = await heldRun(user.token);
    const client = new ApolloClient({ cache: agentEventsCache(), link: new HttpLink({ uri: server.url, headers: { authorization: `Bearer ${user.token}` } }) });
    const follow = (afterSeq: number | null, onEvent: (event: AgentEvent, stop: () => void) => void) =>
      new Promise<{ error?: Error }>((resolve) => {
        const subscription = client.subscribe({ query: AgentEventsDocument, variables: { runId, afterSeq }, fetchPolicy: 'no-cache' }).subscribe({
          next: (result) => {
            if (result.error) resolve({ error: result.error });
            else if (result.data)
              onEvent(result.data.agentEvents, () => {
                subscription.unsubscribe();
                resolve({});
              });
          },
          error: (error: Error) => resolve({ error }),
          complete: () => resolve({}),
        });
      });
    try {
      const seen: AgentEvent[] = [];
      // Leaves after the first words, as a tab that closes mid-run.
      const first = await follow(null, (event, stop) => {
        seen.push(event);
        if (event.__typename === 'TokenDelta') stop();
      });
      expect(first.error).toBeUndefined();
      await until(async () => (await streamsOpen()) === 0, { what: 'the left stream to be released' });
      release();
      const resumed: AgentEvent[] = [];
      const second = await follow(seen.at(-1)!.seq, (event) => resumed.push(event));
      expect(second.error).toBeUndefined();
      expectGaplessSeq([...seen, ...resumed]);
      expect(resumed.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
      const text = [...seen, ...resumed].map((e) => (e.__typename === 'TokenDelta' ? e.delta : '')).join('');
      expect(text).toBe('first words and the rest');
    } finally {
      release();
      client.stop();
    }
  });

  it('answers multipart/mixed with boundary "graphql", a heartbeat part first, payload parts and a terminating boundary', async () => {
    const { runId, release } = await heldRun(user.token);
    release();
    const stream = await multipart({ query: print(AgentEventsDocument), variables: { runId } }, { authorization: `Bearer ${user.token}` });
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('multipart/mixed; boundary="graphql"; subscriptionSpec="1.0"');
    await stream.done;
    expect(stream.ended()).toBe(true);
    expect(stream.parts[0]).toEqual({});
    const events = stream.parts.filter((p): p is { payload: { data: AgentEventsSubscription } } => typeof p === 'object' && p !== null && 'payload' in p);
    expect(events.at(-1)?.payload.data.agentEvents).toMatchObject({ __typename: 'RunFinished' });
    const metrics = await (await fetch(server.app.metricsUrl!)).text();
    expect(metrics).toMatch(/coach_graphql_operations_total\{[^}]*transport="multipart",type="subscription",operation="AgentEvents",outcome="ok"/);
  });

  it('ends the stream with an UNAUTHENTICATED part when its session is revoked, and frees its slot', async () => {
    const other = await registerUser(server);
    const stream = await multipart({ query: print(AuthSessionEventsDocument) }, { authorization: `Bearer ${other.token}` });
    await until(() => stream.parts.length > 0, { what: 'the first heartbeat' });
    expect(await streamsOpen()).toBe(1);
    await server.ok(LogoutDocument, {}, { token: other.token });
    await stream.done;
    expect(stream.parts.at(-1)).toEqual({ payload: null, errors: [{ message: expect.stringMatching(/revoked/i), extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(stream.ended()).toBe(true);
    expect(await streamsOpen()).toBe(0);
  });

  it('refuses clearly, never hangs: no streaming Accept (406, naming the protocols), GET, no token, an invalid document', async () => {
    const query = print(AuthSessionEventsDocument);
    const plain = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query }),
    });
    expect(plain.status).toBe(406);
    const refusal = (await plain.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(refusal.errors[0]!.message).toMatch(/graphql-transport-ws.*subscriptionSpec="1\.0".*\/graphql\/stream/);
    const get = await fetch(`${server.url}?query=${encodeURIComponent(query)}`, { headers: { accept: MULTIPART, 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(406);

    const anonymous = await multipart({ query }, {});
    expect(anonymous.response.status).toBe(401);
    expect(((await anonymous.response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const invalid = await multipart({ query: 'subscription { agentEvents(runId: "x") { nope } }' }, { authorization: `Bearer ${user.token}` });
    expect(invalid.response.status).toBe(400);
    expect(((await invalid.response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    // Unquoted subscriptionSpec is accepted too.
    const unquoted = await multipart({ query }, { authorization: `Bearer ${user.token}`, accept: 'multipart/mixed;subscriptionSpec=1.0,application/json' });
    expect(unquoted.response.status).toBe(200);
    unquoted.abort();
    await until(async () => (await streamsOpen()) === 0, { what: 'the aborted stream to be released' });
  });

  it("counts HTTP streams against the user's subscription cap shared with graphql-ws", async () => {
    const capped = await registerUser(server);
    const ws = server.ws(capped.token);
    const onSocket = await server.subscribed(() => collect(ws, AuthSessionEventsDocument));
    const streams = [];
    for (let i = 0; i < MAX_PER_USER - 1; i++)
      streams.push(await multipart({ query: print(AuthSessionEventsDocument) }, { authorization: `Bearer ${capped.token}` }));
    await until(async () => (await streamsOpen()) === MAX_PER_USER - 1, { what: 'the streams to open' });
    const over = await multipart({ query: print(AuthSessionEventsDocument) }, { authorization: `Bearer ${capped.token}` });
    expect(over.response.status).toBe(400);
    expect(((await over.response.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/Too many open subscriptions for this user/);
    for (const stream of streams) stream.abort();
    onSocket.stop();
    await ws.dispose();
    await until(async () => (await streamsOpen()) === 0, { what: 'the streams to be released' });
  });
});

describe('subscriptions over SSE (graphql-sse, distinct connections)', () => {
  const sse = (token?: string) => createClient({ url: `${server.url}/stream`, retryAttempts: 0, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it("streams a run's agentEvents to graphql-sse's own client and resumes with afterSeq", async () => {
    const { runId, release } = await heldRun(user.token);
    const client = sse(user.token);
    try {
      const seen: AgentEvent[] = [];
      for await (const result of client.iterate<AgentEventsSubscription>({ query: print(AgentEventsDocument), variables: { runId } })) {
        expect(result.errors).toBeUndefined();
        seen.push(result.data!.agentEvents);
        if (result.data!.agentEvents.__typename === 'TokenDelta') break;
      }
      await until(async () => (await streamsOpen()) === 0, { what: 'the left stream to be released' });
      release();
      const resumed: AgentEvent[] = [];
      for await (const result of client.iterate<AgentEventsSubscription>({
        query: print(AgentEventsDocument),
        variables: { runId, afterSeq: seen.at(-1)!.seq },
      })) {
        resumed.push(result.data!.agentEvents);
      }
      expectGaplessSeq([...seen, ...resumed]);
      expect(resumed.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
      expect([...seen, ...resumed].map((e) => (e.__typename === 'TokenDelta' ? e.delta : '')).join('')).toBe('first words and the rest');
    } finally {
      release();
      client.dispose();
    }
  });

  it('answers a refusal as a result with errors (no token, a query), and ends on revocation with UNAUTHENTICATED', async () => {
    const results = async (token: string | undefined, query: string) => {
      const out = [];
      for await (const result of sse(token).iterate({ query })) out.push(result);
      return out;
    };
    const [anonymous] = await results(undefined, print(AuthSessionEventsDocument));
    expect(anonymous?.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    const [query] = await results(user.token, '{ me { id } }');
    expect(query?.errors?.[0]?.message).toMatch(/Only subscriptions stream here/);

    const other = await registerUser(server);
    const ending = results(other.token, print(AuthSessionEventsDocument));
    await until(async () => (await streamsOpen()) === 1, { what: 'the stream to open' });
    await server.ok(LogoutDocument, {}, { token: other.token });
    const last = (await ending).at(-1);
    expect(last?.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await streamsOpen()).toBe(0);
    const wrongAccept = await fetch(`${server.url}/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(wrongAccept.status).toBe(406);
  });
});

describe('shutdown', () => {
  it('ends open HTTP streams with an UNAVAILABLE part', async () => {
    const own = await startTestServer();
    const owner = await registerUser(own);
    const response = await fetch(own.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MULTIPART, authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({ query: print(AuthSessionEventsDocument) }),
    });
    const text = response.text();
    await own.stop();
    expect(await text).toMatch(/"code":"UNAVAILABLE".*\r\n--graphql--\r\n$/s);
  });
});

/** The gauge /metrics serves. */
async function streamsOpen(): Promise<number> {
  const text = await (await fetch(server.app.metricsUrl!)).text();
  return Number(/^coach_http_subscription_streams\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}
