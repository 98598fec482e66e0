import { getIntrospectionQuery } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

let server: TestServer;
let attacker: TestUser;
let bystander: TestUser;

beforeAll(async () => {
  server = await startTestServer({ env: { WS_MAX_BUFFERED_BYTES: '262144', WS_SEND_STALL_MS: '2000' } });
  [attacker, bystander] = [await registerUser(server), await registerUser(server)];
});
afterAll(() => server?.stop());

type ErrorBody = { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

async function post(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(server.url, { method: 'POST', headers: { authorization: `Bearer ${attacker.token}`, ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as ErrorBody & { data?: unknown } };
}

const query = (q: string) => post(JSON.stringify({ query: q }));

/** Another client's simple query, timed: it must keep answering while the bombs land. */
async function bystanderMs(): Promise<number> {
  const started = performance.now();
  const res = await server.gql(MeDocument, {}, { token: bystander.token });
  expect(res.errors).toBeUndefined();
  expect(res.data?.me.id).toBe(bystander.user.id);
  return performance.now() - started;
}

async function healthy(): Promise<void> {
  expect((await fetch(server.url.replace('/graphql', '/healthz'))).status).toBe(200);
}

/** A raw graphql-transport-ws socket, acknowledged, so the test controls reading and sending. */
async function rawSocket(token: string): Promise<{ socket: WebSocket; messages: Array<Record<string, any>>; closed: Promise<number> }> {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  const messages: Array<Record<string, any>> = [];
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, any>;
      if (message.type === 'connection_ack') resolve();
      else messages.push(message);
    });
    socket.once('close', (code) => reject(new Error(`closed with ${code} before the ack`)));
  });
  return { socket, messages, closed };
}

/** A field path that nests five levels per turn: Account → entries → edges → node → transfer → fromAccount (pages of 3, as in the walkthrough). */
function nested(turns: number): string {
  let inner = 'id';
  for (let i = 0; i < turns; i++) inner = `entries(first: 3) { edges { node { transfer { fromAccount { ${inner} } } } } }`;
  return `{ accounts { ${inner} } }`;
}

describe('hostile input', () => {
  it('answers an ordinary chat query and a walkthrough-sized nesting within every limit', async () => {
    const res = await query(nested(2));
    expect(res.body.errors).toBeUndefined();
    await bystanderMs();
  });

  it('refuses a depth bomb, naming the limit', async () => {
    const res = await query(nested(10));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors?.map((e) => e.message)).toContainEqual(expect.stringMatching(/^Query depth limit of 15 exceeded, found \d+\.$/));
  });

  it('refuses an alias bomb', async () => {
    const res = await query(`{ ${Array.from({ length: 500 }, (_, i) => `a${i}: me { id }`).join(' ')} }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors?.[0]?.message).toMatch(/Aliases limit of 30 exceeded, found 500/);
  });

  it('refuses a cost bomb that is neither deep nor aliased', async () => {
    const res = await query('{ chatSessions(first: 100) { edges { node { messages(first: 100) { edges { node { id content role createdAt } } } } } } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors?.[0]?.message).toMatch(/Query Cost limit of 100000 exceeded, found \d+/);
  });

  it('refuses a directive bomb', async () => {
    const res = await query(`{ me { id ${'@include(if: true) '.repeat(60)} } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.message)).toContainEqual(expect.stringMatching(/Directives limit of 50 exceeded, found 60/));
  });

  it('stops parsing a token bomb at the token limit', async () => {
    const res = await query(`{ me { ${'id '.repeat(20_000)} } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.body.errors?.[0]?.message).toMatch(/more tha[nt] 5000 tokens/);
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413 before parsing it', async () => {
    const res = await post(JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(3 * 1024 * 1024) } }));
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]).toEqual({ message: 'Request body is larger than 2097152 bytes', extensions: { code: 'BAD_REQUEST' } });
  });

  it('refuses a batched array of operations', async () => {
    const res = await post(JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(res.body.errors?.[0]?.message).toMatch(/batching/i);
  });

  it('refuses a text/plain mutation as a possible cross-site request forgery, and a form post too', async () => {
    const mutation = JSON.stringify({ query: 'mutation { logoutAll }' });
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await post(mutation, { 'content-type': contentType });
      expect(res.status, contentType).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      expect(res.body.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
    }
    // The session is intact: the mutation never ran.
    expect((await server.gql(MeDocument, {}, { token: attacker.token })).errors).toBeUndefined();
  });

  it('applies the same limits over the WebSocket, answering each operation with its code', async () => {
    const { socket, messages } = await rawSocket(attacker.token);
    const send = (id: string, q: string) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: q } }));
    send('depth', nested(10));
    send('aliases', `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: me { id }`).join(' ')} }`);
    send('tokens', `{ me { ${'id '.repeat(20_000)} } }`);
    send('syntax', '{ me { id ');
    send('fine', '{ me { id } }');
    await until(() => messages.filter((m) => m.type === 'error' || m.type === 'complete').length >= 5);
    const error = (id: string) => messages.find((m) => m.id === id && m.type === 'error')?.payload?.[0];
    expect(error('depth')).toMatchObject({ message: expect.stringMatching(/Query depth limit of 15/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(error('aliases')).toMatchObject({ message: expect.stringMatching(/Aliases limit of 30/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(error('tokens')).toMatchObject({ message: expect.stringMatching(/more tha[nt] 5000 tokens/), extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(error('syntax')).toMatchObject({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(messages.find((m) => m.id === 'fine' && m.type === 'next')?.payload).toEqual({ data: { me: { id: attacker.user.id } } });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  it('closes a WebSocket message larger than BODY_LIMIT_BYTES with 1009', async () => {
    const { socket, closed } = await rawSocket(attacker.token);
    socket.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: `{ me { id } }`, variables: { pad: 'x'.repeat(3 * 1024 * 1024) } } }));
    expect(await closed).toBe(1009);
    await healthy();
  });

  it('keeps 100 of 10,000 subscriptions on one socket and refuses the rest with BAD_REQUEST, while others are served', async () => {
    const before = await bystanderMs();
    const { socket, messages } = await rawSocket(attacker.token);
    const subscribe = JSON.stringify({ type: 'subscribe', payload: { query: 'subscription { authSessionEvents { kind } }' } });
    for (let i = 0; i < 10_000; i++) socket.send(subscribe.replace('{"type"', `{"id":"s${i}","type"`));
    const during = await bystanderMs();
    await until(() => messages.length >= 9_900, { timeoutMs: 20_000, what: '9,900 messages' });
    expect(messages).toHaveLength(9_900);
    expect(messages.every((m) => m.type === 'error' && m.payload[0].extensions.code === 'BAD_REQUEST')).toBe(true);
    expect(messages[0]!.payload[0].message).toMatch(/Too many open operations on this connection: at most 100/);
    // The first 100 are the ones kept, and they are live.
    expect(messages.some((m) => Number(m.id.slice(1)) < 100)).toBe(false);
    expect(await metric('coach_ws_subscriptions')).toBe(100);
    socket.close();
    await until(async () => (await metric('coach_ws_subscriptions')) === 0);
    await healthy();
    const after = await bystanderMs();
    console.info(`bystander Me: ${before.toFixed(1)} ms before, ${during.toFixed(1)} ms during, ${after.toFixed(1)} ms after 10,000 subscribes`);
    // Generous bounds for a loaded CI machine: during the flood 0.5 s was seen on a quiet machine and
    // 2.5-5.5 s on 2 cores at load 11-13 (before and after: under 0.3 s). Answered, and at full speed after.
    expect(before).toBeLessThan(1_000);
    expect(during).toBeLessThan(10_000);
    expect(after).toBeLessThan(1_000);
  });

  it('disconnects a socket that stops reading instead of buffering for it, and stays healthy', async () => {
    const { socket } = await rawSocket(attacker.token);
    // Stop reading at the TCP level: the server's writes back up behind a full receive window.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const connections = await metric('coach_ws_connections');
    const introspection = getIntrospectionQuery();
    for (let i = 0; i < 100; i++) socket.send(JSON.stringify({ id: `i${i}`, type: 'subscribe', payload: { query: introspection } }));
    await until(async () => (await metric('coach_ws_disconnects_total', 'reason="slow_consumer"')) === 1, { timeoutMs: 15_000, what: 'slow_consumer' });
    await until(async () => (await metric('coach_ws_connections')) === connections - 1, { what: 'the slow socket to close' });
    await bystanderMs();
    await healthy();
    socket.terminate();
  });
});

/** One sample from /metrics (the sum over series matching `labels`). */
async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
