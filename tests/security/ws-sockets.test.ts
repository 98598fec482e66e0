import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, SendMessageDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { rawSocket, outcomeOf, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer({ env: { WS_MAX_CONNECTIONS_PER_IP: '4', WS_MAX_CONNECTIONS_PER_USER: '2' } });
  user = await registerUser(server);
});
afterAll(() => server?.stop());

const signedIn = (token: string, scheme = 'Bearer') => rawSocket(server.wsUrl, { init: { authorization: `${scheme} ${token}` } });

async function closeAll(sockets: RawSocket[]): Promise<void> {
  for (const s of sockets) s.socket.close();
  await Promise.all(sockets.map((s) => s.closed));
  // The server counts a socket until its own close event: wait until it holds none.
  await until(async () => /^coach_ws_connections(\{[^}]*\})? 0$/m.test(await (await fetch(server.app.metricsUrl!)).text()));
}

describe('connection_init', () => {
  it('refuses a socket with no token, an empty one or no payload at all with 4403: no subscription is public', async () => {
    for (const init of [{}, { authorization: '' }, null]) {
      const s = rawSocket(server.wsUrl, { init });
      expect(await s.closed, JSON.stringify(init)).toEqual({ code: 4403, reason: 'Forbidden' });
    }
  });

  it('accepts the scheme in any case, "bearer" as "Bearer", over WebSocket and over HTTP alike', async () => {
    const s = signedIn(user.token, 'bearer');
    await s.acked;
    s.send({ id: '1', type: 'subscribe', payload: { query: '{ me { id } }' } });
    expect(await s.result('1')).toContainEqual({ id: '1', type: 'next', payload: { data: { me: { id: user.user.id } } } });
    await closeAll([s]);
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await server.gql(MeDocument, {}, { headers: { authorization: `${scheme} ${user.token}` } });
      expect(res.data?.me.id, scheme).toBe(user.user.id);
    }
  });
});

describe('open sockets per address and per user', () => {
  it('closes the socket over WS_MAX_CONNECTIONS_PER_IP with 4429 at once, before any connection_init, and admits one again after a close', async () => {
    const held = Array.from({ length: 4 }, () => rawSocket(server.wsUrl));
    await Promise.all(held.map((s) => new Promise((resolve) => s.socket.once('open', resolve))));
    const refused = rawSocket(server.wsUrl, { init: { authorization: `Bearer ${user.token}` } });
    expect(await refused.closed).toEqual({ code: 4429, reason: 'Too many connections from this address' });
    held[0]!.socket.close();
    await held[0]!.closed;
    await until(async () => {
      const again = signedIn(user.token);
      const ok = await again.acked.then(
        () => true,
        () => false,
      );
      if (ok) held[0] = again;
      return ok;
    });
    await closeAll(held);
  });

  it('closes the socket over WS_MAX_CONNECTIONS_PER_USER with 4429, leaves other users alone, and admits one again after a close', async () => {
    const other = await registerUser(server);
    const mine = [signedIn(user.token), signedIn(user.token)];
    await Promise.all(mine.map((s) => s.acked));
    const third = signedIn(user.token);
    expect(await third.closed).toEqual({ code: 4429, reason: 'Too many connections for this user' });
    const theirs = signedIn(other.token);
    await theirs.acked;
    mine[0]!.socket.close();
    await mine[0]!.closed;
    await until(async () => {
      const again = signedIn(user.token);
      const ok = await again.acked.then(
        () => true,
        () => false,
      );
      if (ok) mine[0] = again;
      return ok;
    });
    await closeAll([...mine, theirs]);
  });
});

describe('hostile frames and variables', () => {
  it('closes with 4400, not 4500, when a client sends a frame of a type only a server sends', async () => {
    for (const frame of [
      { id: '1', type: 'next', payload: { data: { me: null } } },
      { type: 'connection_ack' },
      { id: '1', type: 'error', payload: [{ message: 'x' }] },
    ]) {
      const s = signedIn(user.token);
      await s.acked;
      s.send(frame);
      expect(await s.closed, frame.type).toEqual({ code: 4400, reason: 'Invalid message received' });
    }
    expect(server.rawLogs()).not.toContain('WebSocket message failed');
  });

  it('answers variables that do not fit their types with BAD_USER_INPUT, the code HTTP gives, and logs no error', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const runId = (await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'hello' } }, { token: user.token })).sendMessage.id;
    const subscription = 'subscription Follow($runId: ID!, $afterSeq: Int) { agentEvents(runId: $runId, afterSeq: $afterSeq) { seq } }';
    const query = 'query Run($runId: ID!, $first: Int) { agentRun(id: $runId) { id } chatSessions(first: $first) { totalCount } }';
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ['afterSeq over 32 bits', { runId, afterSeq: 2147483648 }, { runId, first: 2147483648 }],
      ['afterSeq 1.5', { runId, afterSeq: 1.5 }, { runId, first: 1.5 }],
      ['afterSeq "1"', { runId, afterSeq: '1' }, { runId, first: '1' }],
      ['runId null', { runId: null }, { runId: null }],
      ['runId missing', {}, {}],
    ];
    const s = signedIn(user.token);
    await s.acked;
    const errorsBefore = server.logs.filter((l) => Number(l.level) >= 50).length;
    let n = 0;
    for (const [name, subVars, queryVars] of cases) {
      const http = await server.gql(query, queryVars, { token: user.token });
      expect(http.errors?.[0]?.extensions?.code, `HTTP ${name}`).toBe('BAD_USER_INPUT');
      for (const [doc, variables] of [
        [subscription, subVars],
        [query, queryVars],
      ] as const) {
        const id = String(++n);
        s.send({ id, type: 'subscribe', payload: { query: doc, variables } });
        const frames = await s.result(id);
        expect(outcomeOf(frames), `WebSocket ${name}: ${JSON.stringify(frames)}`).toBe('BAD_USER_INPUT');
        const error = frames.find((f) => f.type === 'error')!.payload[0];
        expect(error.message).toMatch(/^Variable "\$\w+"/);
      }
    }
    // The socket stays open, and a well-typed resume still works on it.
    s.send({ id: 'ok', type: 'subscribe', payload: { query: subscription, variables: { runId, afterSeq: 0 } } });
    expect((await s.result('ok')).filter((f) => f.type === 'next').length).toBeGreaterThan(0);
    expect(server.logs.filter((l) => Number(l.level) >= 50).length).toBe(errorsBefore);
    await closeAll([s]);
  });
});
