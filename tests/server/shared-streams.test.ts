import { print } from 'graphql';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentEventsDocument, LoginDocument, LogoutDocument, type AgentEventsSubscription } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { expectGaplessSeq } from '../helpers/agent.js';
import { multipartRequest } from '../helpers/multipart.js';
import { heldRun as heldScriptedRun, startScriptedServer } from '../helpers/scripted-llm.js';
import type { TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { until } from '../helpers/wait.js';

type AgentEvent = AgentEventsSubscription['agentEvents'];
type Transport = 'graphql-ws' | 'sse' | 'multipart';

/**
 * Subscribers of one run with the same document and variables share one execution and one
 * serialized frame per event (src/server/subscriptions/frames.ts): what they receive must still
 * be each one's complete stream, and ending one subscriber's session must end its stream alone.
 */
let server: TestServer;
let fake: FakeOpenAi;

beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 20_000 }));
});
afterAll(() => server?.stop());

const heldRun = (token: string) => heldScriptedRun(server, fake, token);

/** Another sign-in session of the same user: another device or browser. */
async function signInAgain(user: TestUser): Promise<string> {
  return (await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } })).login.accessToken;
}

interface Follower {
  events: AgentEvent[];
  /** The error codes the stream ended with (a graphql-ws close code as a string). */
  ending: Promise<string[]>;
}

/** Follows the run's agentEvents over one transport with one client of that transport. */
function follow(transport: Transport, token: string, runId: string): Follower {
  const events: AgentEvent[] = [];
  if (transport === 'graphql-ws') {
    const collected = collect(server.ws(token), AgentEventsDocument, { runId });
    const ending = collected.ended.then((end) => {
      events.push(...collected.events.map((e) => e.agentEvents));
      return [...collected.errors.map((e) => String(e.extensions?.code)), ...(end.error ? [String((end.error as { code?: number }).code)] : [])];
    });
    // Live view for the waits below, filled at the end with the same events in order.
    return {
      get events() {
        return events.length ? events : collected.events.map((e) => e.agentEvents);
      },
      ending,
    };
  }
  if (transport === 'sse') {
    const client = createClient({ url: `${server.url}/stream`, retryAttempts: 0, headers: { authorization: `Bearer ${token}` } });
    const ending = (async () => {
      const codes: string[] = [];
      for await (const result of client.iterate<AgentEventsSubscription>({ query: print(AgentEventsDocument), variables: { runId } })) {
        if (result.data) events.push(result.data.agentEvents);
        codes.push(...(result.errors ?? []).map((e) => String(e.extensions?.code)));
      }
      client.dispose();
      return codes;
    })();
    return { events, ending };
  }
  const ending = (async () => {
    const stream = await multipartRequest(server.url, { query: print(AgentEventsDocument), variables: { runId } }, { authorization: `Bearer ${token}` });
    const seen = new Set<unknown>();
    const codes: string[] = [];
    const take = () => {
      for (const part of stream.parts as Array<{ payload?: { data?: AgentEventsSubscription } | null; errors?: Array<{ extensions?: { code?: string } }> }>) {
        if (seen.has(part)) continue;
        seen.add(part);
        if (part.payload?.data) events.push(part.payload.data.agentEvents);
        codes.push(...(part.errors ?? []).map((e) => String(e.extensions?.code)));
      }
    };
    const timer = setInterval(take, 5);
    await stream.done;
    clearInterval(timer);
    take();
    return codes;
  })();
  return { events, ending };
}

const text = (events: AgentEvent[]) => events.map((e) => (e.__typename === 'TokenDelta' ? e.delta : '')).join('');
const hasFirstWords = (f: Follower) => f.events.some((e) => e.__typename === 'TokenDelta');

/** Three followers of one run: two in sessions that stay, one in a session revoked while the run is held. */
async function watchAndRevoke(transports: [Transport, Transport, Transport]) {
  const user = await registerUser(server);
  const [stays, alsoStays, revoked] = [user.token, await signInAgain(user), await signInAgain(user)];
  const { runId, release } = await heldRun(user.token);
  try {
    const followers = [follow(transports[0], stays, runId), follow(transports[1], alsoStays, runId), follow(transports[2], revoked, runId)] as const;
    await until(() => followers.every(hasFirstWords), { what: 'every follower to have the first words' });
    await server.ok(LogoutDocument, {}, { token: revoked });
    const revokedEnding = await followers[2].ending;
    release();
    const [a, b] = [await followers[0].ending, await followers[1].ending];
    return { followers, endings: [a, b, revokedEnding] };
  } finally {
    release();
  }
}

describe('subscribers of one run share its renderings and still get their own streams', () => {
  for (const transport of ['graphql-ws', 'sse', 'multipart'] as const) {
    it(`over ${transport}: two subscribers get identical, complete streams; the one whose session is revoked mid-run stops alone`, async () => {
      const { followers, endings } = await watchAndRevoke([transport, transport, transport]);
      const [a, b, revoked] = followers;
      expect(endings[0]).toEqual([]);
      expect(endings[1]).toEqual([]);
      expect(a.events).toEqual(b.events);
      expectGaplessSeq(a.events);
      expect(text(a.events)).toBe('first words and the rest');
      expect(a.events.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
      // The revoked one saw the same beginning, then its end, and nothing of the rest.
      expect(endings[2]).toEqual([transport === 'graphql-ws' ? '4401' : 'UNAUTHENTICATED']);
      expect(text(revoked.events)).toBe('first words ');
      expect(revoked.events).toEqual(a.events.slice(0, revoked.events.length));
    });
  }

  it('across transports: a graphql-ws, an SSE and a multipart subscriber of the same rendering', async () => {
    const { followers, endings } = await watchAndRevoke(['graphql-ws', 'sse', 'multipart']);
    const [ws, sse, multipart] = followers;
    expect(endings).toEqual([[], [], ['UNAUTHENTICATED']]);
    expect(sse.events).toEqual(ws.events);
    expect(text(ws.events)).toBe('first words and the rest');
    expect(multipart.events).toEqual(ws.events.slice(0, multipart.events.length));
  });
});

/** An AG-UI reader of a run (GET /agui/runs/:runId): the body as it arrives. */
function aguiReader(token: string, runId: string) {
  const reader = { body: '', done: undefined as unknown as Promise<number> };
  reader.done = (async () => {
    const base = server.url.replace(/\/graphql$/, '');
    const response = await fetch(`${base}/agui/runs/${runId}`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } });
    const decoder = new TextDecoder();
    const body = response.body!.getReader();
    for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) reader.body += decoder.decode(chunk.value, { stream: true });
    return response.status;
  })();
  return reader;
}

/** An SSE body's blocks with AG-UI data, keep-alive comments left out. */
const aguiBlocks = (body: string) => body.split('\n\n').filter((block) => block.includes('data: '));
const aguiText = (body: string) =>
  aguiBlocks(body)
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { type: string; delta?: string })
    .flatMap((event) => (event.type === 'TEXT_MESSAGE_CONTENT' ? [event.delta] : []))
    .join('');

async function aguiFramesEncoded(): Promise<number> {
  const text = await (await fetch(server.app.metricsUrl!)).text();
  return Number(/^coach_agui_frames_encoded_total\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

describe('AG-UI readers of one run share its live frames (src/server/agui-frames.ts)', () => {
  it('two readers get byte-identical live frames, each event projected and encoded once for both; their whole streams equal a later replay', async () => {
    const user = await registerUser(server);
    const [tab, phone] = [user.token, await signInAgain(user)];
    const { runId, release } = await heldRun(user.token);
    try {
      const readers = [aguiReader(tab, runId), aguiReader(phone, runId)];
      // Each replayed the run so far on its own and now waits on the live events, the run held after its first words.
      await until(() => readers.every((r) => aguiText(r.body) === 'first words '), { what: 'both readers to have the first words' });
      const held = readers.map((r) => r.body.length);
      const encodedBefore = await aguiFramesEncoded();
      release();
      expect(await Promise.all(readers.map((r) => r.done))).toEqual([200, 200]);
      const encoded = (await aguiFramesEncoded()) - encodedBefore;

      const [live, liveToo] = readers.map((r, i) => aguiBlocks(r.body.slice(held[i])));
      expect(liveToo).toEqual(live);
      // A frame is one stored event's AG-UI events; its last block carries the event's seq as the id.
      const frames = live!.filter((block) => block.startsWith('id: ')).length;
      expect(frames).toBeGreaterThanOrEqual(3);
      expect(encoded).toBe(frames);

      expect(aguiText(readers[0]!.body)).toBe('first words and the rest');
      expect(aguiBlocks(readers[1]!.body)).toEqual(aguiBlocks(readers[0]!.body));
      // Shared frames are what a stream of the reader's own makes: a replay of the finished run, projected alone.
      const replay = aguiReader(tab, runId);
      expect(await replay.done).toBe(200);
      expect(aguiBlocks(replay.body)).toEqual(aguiBlocks(readers[0]!.body));
    } finally {
      release();
    }
  });
});
