import { ApolloClient } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentEventsDocument, RefreshSessionDocument, SendMessageDocument, type AgentEventsSubscription } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { registerUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { agentEventsCache, expectGaplessSeq } from '../helpers/agent.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import type { TestServer } from '../helpers/server.js';

type AgentEvent = AgentEventsSubscription['agentEvents'];

let fake: FakeOpenAi;
let server: TestServer;

beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 20_000, env: { ACCESS_TOKEN_TTL_SECONDS: '10' } }));
});
afterAll(() => server?.stop());

describe('a WebSocket and the access token it was opened with', () => {
  it('closes at the token\'s expiry with 4401 "token expired"; the next token subscribes again and afterSeq loses no event', async () => {
    const user = await registerUser(server);
    const expiresAt = new Date(user.accessTokenExpiresAt as string).getTime();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.script([[{ text: 'before the expiry ' }, { until: gate }, { text: 'and after it, streamed while nobody listened' }, { finishReason: 'stop' }]]);
    const session = await createSession(server, user.token, 'GENERAL');
    const runId = (await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'talk to me' } }, { token: user.token })).sendMessage.id;

    // As a frontend would: connectionParams reads the current token each time the client connects.
    let token = user.token;
    const presented: string[] = [];
    const wsClient = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: () => {
        presented.push(token);
        return { authorization: `Bearer ${token}` };
      },
    });
    const client = new ApolloClient({
      cache: agentEventsCache(),
      link: new GraphQLWsLink(wsClient),
    });
    const follow = (afterSeq: number | null, onEvent: (event: AgentEvent) => void) =>
      new Promise<{ error?: Error; at: number }>((resolve) => {
        client.subscribe({ query: AgentEventsDocument, variables: { runId, afterSeq }, fetchPolicy: 'no-cache' }).subscribe({
          next: (result) => {
            if (result.error) resolve({ error: result.error, at: Date.now() });
            else if (result.data) onEvent(result.data.agentEvents);
          },
          error: (error: Error) => resolve({ error, at: Date.now() }),
          complete: () => resolve({ at: Date.now() }),
        });
      });

    try {
      const seen: AgentEvent[] = [];
      const first = await follow(null, (event) => seen.push(event));
      expect(first.error?.message).toBe('Socket closed with event 4401 token expired');
      // At the expiry (the timer is real time), not a sweep later and never before.
      expect(first.at).toBeGreaterThanOrEqual(expiresAt - 50);
      expect(first.at).toBeLessThan(expiresAt + 1_500);
      expect(seen.some((e) => e.__typename === 'TokenDelta')).toBe(true);
      expect(seen.some((e) => e.__typename === 'RunFinished')).toBe(false);

      // The run goes on while the client is away; then it refreshes and resumes where it stopped.
      release();
      token = (await server.ok(RefreshSessionDocument, { refreshToken: user.refreshToken })).refreshSession.accessToken;
      const lastSeq = seen.at(-1)!.seq;
      const resumed: AgentEvent[] = [];
      const second = await follow(lastSeq, (event) => resumed.push(event));
      expect(second.error).toBeUndefined();
      expect(presented).toEqual([user.token, token]);
      expectGaplessSeq(resumed, lastSeq + 1);
      expectGaplessSeq([...seen, ...resumed]);
      expect(resumed.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
      const text = [...seen, ...resumed].map((e) => (e.__typename === 'TokenDelta' ? e.delta : '')).join('');
      expect(text).toBe('before the expiry and after it, streamed while nobody listened');
    } finally {
      release();
      client.stop();
      await wsClient.dispose();
    }
  });
});
