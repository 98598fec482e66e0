import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { CLOSE_TOO_MANY_CONNECTIONS } from '../../src/server/ws/close-codes.js';
import { AuthSessionEventsDocument } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { MULTIPART, multipartRequest } from '../helpers/multipart.js';
import { rawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { subscribers, until } from '../helpers/wait.js';

const CAP = 4;
const QUERY = print(AuthSessionEventsDocument);

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  server = await startTestServer({ env: { STREAMS_MAX_PER_IP: String(CAP) } });
  [alice, bob] = [await registerUser(server), await registerUser(server)];
});
afterAll(async () => {
  for (const cleanup of cleanups) cleanup();
  await server?.stop();
});

const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });

async function webSocket(user: TestUser): Promise<RawSocket> {
  const socket = rawSocket(server.wsUrl, { init: bearer(user) });
  cleanups.push(() => socket.socket.terminate());
  await socket.acked;
  return socket;
}

/** A graphql-sse (distinct connections) request; resolves once the response's head arrived. */
async function sse(user: TestUser): Promise<{ response: Response; abort(): void }> {
  const controller = new AbortController();
  cleanups.push(() => controller.abort());
  const response = await fetch(`${server.url}/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(user) },
    body: JSON.stringify({ query: QUERY }),
    signal: controller.signal,
  });
  return { response, abort: () => controller.abort() };
}

async function multipart(user: TestUser) {
  const stream = await multipartRequest(server.url, { query: QUERY }, bearer(user));
  cleanups.push(stream.abort);
  return stream;
}

async function expectTooMany(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
  expect(body.errors).toEqual([{ message: expect.stringMatching(/Too many connections from this address: at most 4/), extensions: { code: 'RATE_LIMITED' } }]);
}

describe('STREAMS_MAX_PER_IP: one cap per address across WebSocket, multipart and SSE', () => {
  it('refuses the (cap+1)th connection from an address whatever its transport, and admits one again once another closes', async () => {
    const base = server.app.deps.pubsub.subscriberCount;
    // Two users from one address: the cap is the address's, not a user's.
    const sockets = [await webSocket(alice), await webSocket(bob)];
    const sseStream = await sse(alice);
    expect(sseStream.response.status).toBe(200);
    const multipartStream = await multipart(bob);
    expect(multipartStream.response.status).toBe(200);
    await subscribers(server.app, base + 2);

    // The fifth: a WebSocket is closed with 4429 before connection_init, an HTTP stream answered 429.
    const socket = rawSocket(server.wsUrl, { init: bearer(alice) });
    expect((await socket.closed).code).toBe(CLOSE_TOO_MANY_CONNECTIONS);
    await expectTooMany((await sse(bob)).response);
    await expectTooMany((await multipart(alice)).response);

    // A multipart stream closes: its slot goes to an SSE stream, then the cap holds again.
    multipartStream.abort();
    await until(() => server.app.deps.pubsub.subscriberCount === base + 1, { what: 'the multipart stream to be released' });
    const next = await sse(bob);
    expect(next.response.status).toBe(200);
    await expectTooMany((await sse(alice)).response);

    // A WebSocket closes: its slot goes to a multipart stream.
    sockets[0]!.socket.close();
    await sockets[0]!.closed;
    await until(async () => (await multipart(alice)).response.status === 200, { what: 'a slot freed by the closed socket' });
    const refused = rawSocket(server.wsUrl, { init: bearer(bob) });
    expect((await refused.closed).code).toBe(CLOSE_TOO_MANY_CONNECTIONS);
  });

  it('gives the slot back when a stream is refused after it was counted (no token, not a subscription)', async () => {
    const own = await startTestServer({ env: { STREAMS_MAX_PER_IP: '1' } });
    try {
      const user = await registerUser(own);
      for (let i = 0; i < 3; i++) {
        const anonymous = await fetch(own.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: MULTIPART },
          body: JSON.stringify({ query: QUERY }),
        });
        expect(anonymous.status).toBe(401);
        const query = await fetch(`${own.url}/stream`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(user) },
          body: JSON.stringify({ query: '{ me { id } }' }),
        });
        expect(await query.text()).toMatch(/Only subscriptions stream here/);
      }
      const stream = await multipartRequest(own.url, { query: QUERY }, bearer(user));
      expect(stream.response.status).toBe(200);
      stream.abort();
    } finally {
      await own.stop();
    }
  });
});

describe('STREAMS_MAX_PER_IP in the configuration', () => {
  const base = { NODE_ENV: 'test' };
  it('defaults to 200, and reads WS_MAX_CONNECTIONS_PER_IP as a deprecated alias with a warning', () => {
    expect(loadConfig(base).config.streams.maxPerIp).toBe(200);
    const legacy = loadConfig({ ...base, WS_MAX_CONNECTIONS_PER_IP: '7' });
    expect(legacy.config.streams.maxPerIp).toBe(7);
    expect(legacy.warnings).toContainEqual(expect.stringMatching(/WS_MAX_CONNECTIONS_PER_IP is deprecated: rename it STREAMS_MAX_PER_IP/));
    const both = loadConfig({ ...base, WS_MAX_CONNECTIONS_PER_IP: '7', STREAMS_MAX_PER_IP: '9' });
    expect(both.config.streams.maxPerIp).toBe(9);
    expect(both.warnings).toContainEqual(expect.stringMatching(/WS_MAX_CONNECTIONS_PER_IP is deprecated and ignored/));
    expect(() => loadConfig({ ...base, STREAMS_MAX_PER_IP: '0' })).toThrow(/STREAMS_MAX_PER_IP must be a whole number from 1/);
  });
});
