import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessionEventsDocument, LoginDocument } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { rawSocket } from '../helpers/raw-socket.js';
import { subscribers, until } from '../helpers/wait.js';

const KEEPALIVE_MS = 200;

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer({ env: { WS_KEEPALIVE_MS: String(KEEPALIVE_MS) } });
  user = await registerUser(server);
});
afterAll(() => server?.stop());

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string; at: number }> {
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason), at: performance.now() })));
}

describe('the WebSocket transport', () => {
  it('closes a socket that names no subprotocol with 4406, and refuses the handshake of one asking another', async () => {
    const closed = await closeOf(new WebSocket(server.wsUrl));
    expect(closed.code).toBe(4406);
    expect(closed.reason).toMatch(/subprotocol not acceptable/i);
    // The legacy subscriptions-transport-ws protocol: no protocol is agreed, so the client aborts.
    const legacy = new WebSocket(server.wsUrl, 'graphql-ws');
    let opened = false;
    legacy.once('open', () => (opened = true));
    expect((await closeOf(legacy)).code).toBe(1006);
    expect(opened).toBe(false);
  });

  it('closes a socket that sends no connection_init within 3 s with 4408, and not one that sent it', async () => {
    // Opened first: had its deadline stayed armed after the init, it would close before the idle one.
    const signedIn = rawSocket(server.wsUrl, { init: { authorization: `Bearer ${user.token}` } });
    await signedIn.acked;
    const idle = rawSocket(server.wsUrl);
    const closed = await idle.closed;
    expect(closed.code).toBe(4408);
    expect(closed.reason).toMatch(/initialisation timeout/i);
    expect(signedIn.socket.readyState).toBe(WebSocket.OPEN);
    signedIn.socket.close();
  });

  it('cuts a peer that stops answering pings, and keeps one that answers them', async () => {
    // A peer that vanished without closing: the socket stays open, pings go unanswered.
    const silent = new WebSocket(server.wsUrl, 'graphql-transport-ws', { autoPong: false });
    const silentClosed = closeOf(silent);
    await new Promise<void>((resolve) => silent.once('open', () => resolve()));
    const openedAt = performance.now();
    let pings = 0;
    silent.on('ping', () => pings++);
    silent.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } }));

    // A live client with a subscription, through the same keep-alive periods.
    const client = server.ws(user.token);
    const sub = await server.subscribed(() => collect(client, AuthSessionEventsDocument));
    await subscribers(server.app, 1);

    const cut = await silentClosed;
    expect(pings).toBeGreaterThanOrEqual(1);
    // Pinged at one tick, cut at a later one: within about two periods, never before one.
    expect(cut.at - openedAt).toBeGreaterThanOrEqual(KEEPALIVE_MS * 0.9);
    expect(cut.at - openedAt).toBeLessThan(KEEPALIVE_MS * 10);
    expect(cut.code).toBe(1006);

    // Several periods later the answering client still gets its events: an answering socket beside it counts the periods.
    const witness = rawSocket(server.wsUrl, { init: { authorization: `Bearer ${user.token}` } });
    let witnessPings = 0;
    witness.socket.on('ping', () => witnessPings++);
    await witness.acked;
    await until(() => witnessPings >= 4, { what: 'four keep-alive pings' });
    witness.socket.close();
    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    const [event] = await sub.waitFor(1);
    expect(event?.authSessionEvents.kind).toBe('CREATED');
    sub.stop();
    await client.dispose();
  });
});
