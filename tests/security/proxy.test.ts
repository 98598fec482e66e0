import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { rawSocket, outcomeOf } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { loadConfig } from '../../src/config/config.js';

const LIMITS = {
  RATE_LIMIT_OPERATIONS_PER_IP: '8',
  RATE_LIMIT_SUBSCRIBES_PER_IP: '2',
  LOGIN_MAX_FAILURES_PER_IP: '2',
  LOGIN_MAX_FAILURES_PER_USER: '1000',
  WS_MAX_CONNECTIONS_PER_IP: '2',
};

const from = (address: string) => ({ 'x-forwarded-for': address });

/** The same checks on a gateway that trusts its loopback peer as a proxy (`trusted`) and on one that does not. */
function behindAProxy(trustProxy: string | undefined) {
  const trusted = trustProxy !== undefined;
  let server: TestServer;
  let user: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ env: { ...LIMITS, ...(trusted ? { TRUST_PROXY: trustProxy } : {}) } });
    user = await registerUser(server);
  });
  afterAll(() => server?.stop());

  it(`${trusted ? 'locks out' : 'locks out, ignoring X-Forwarded-For,'} the address with failed sign-ins${trusted ? ', not the next client behind the proxy' : ''}`, async () => {
    const login = (address: string) =>
      server.gql(LoginDocument, { input: { username: user.user.username, password: 'wrong-password' } }, { headers: from(address) });
    const codes: unknown[] = [];
    for (let i = 0; i < 5 && codes.at(-1) !== 'RATE_LIMITED'; i++) codes.push((await login('203.0.113.10')).errors?.[0]?.extensions?.code);
    expect(codes.at(-1)).toBe('RATE_LIMITED');
    const next = await login('203.0.113.20');
    expect(next.errors?.[0]?.extensions?.code).toBe(trusted ? 'UNAUTHENTICATED' : 'RATE_LIMITED');
    if (!trusted) expect(next.errors?.[0]?.message).not.toMatch(/^Too many requests/);
  });

  it(`${trusted ? 'keys' : 'does not key'} the HTTP per-address rate limit on the forwarded client`, async () => {
    const ask = (headers: Record<string, string>) => server.gql('{ __typename }', undefined, { headers });
    let status = 200;
    for (let i = 0; i < 20 && status === 200; i++) status = (await ask(from('198.51.100.1'))).status;
    expect(status).toBe(429);
    expect((await ask(from('198.51.100.2'))).status).toBe(trusted ? 200 : 429);
  });

  it(`${trusted ? 'keys' : 'does not key'} WebSocket subscribe limits and the socket cap on the forwarded client`, async () => {
    const socket = (address: string) => rawSocket(server.wsUrl, { init: { authorization: `Bearer ${user.token}` }, headers: from(address) });
    const a = socket('192.0.2.1');
    await a.acked;
    const outcomes: string[] = [];
    for (let i = 1; i <= 3; i++) {
      a.send({ id: String(i), type: 'subscribe', payload: { query: '{ __typename }' } });
      outcomes.push(outcomeOf(await a.result(String(i))));
    }
    expect(outcomes).toEqual(['ok', 'ok', 'RATE_LIMITED']);
    const b = socket('192.0.2.2');
    await b.acked;
    b.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect(outcomeOf(await b.result('1'))).toBe(trusted ? 'ok' : 'RATE_LIMITED');

    // WS_MAX_CONNECTIONS_PER_IP=2: a third socket from one client is refused; from another, only if addresses are not believed.
    const c = socket('192.0.2.3');
    if (trusted) {
      await c.acked;
      const a2 = socket('192.0.2.1');
      await a2.acked;
      expect(await socket('192.0.2.1').closed).toEqual({ code: 4429, reason: 'Too many connections from this address' });
      a2.socket.close();
    } else {
      expect(await c.closed).toEqual({ code: 4429, reason: 'Too many connections from this address' });
    }
    for (const s of [a, b, c]) s.socket.close();
  });
}

describe('TRUST_PROXY unset: X-Forwarded-For is ignored, the TCP peer is the client', () => behindAProxy(undefined));
describe('TRUST_PROXY=1 (one proxy in front): the forwarded client is the client', () => behindAProxy('1'));
describe('TRUST_PROXY=loopback,10.0.0.0/8 (the proxies by address): the forwarded client is the client', () => behindAProxy('loopback,10.0.0.0/8'));

describe('TRUST_PROXY in the configuration', () => {
  const trustOf = (value: string | undefined) => loadConfig({ NODE_ENV: 'test', ...(value === undefined ? {} : { TRUST_PROXY: value }) }).config.trustProxy;
  const problemOf = (value: string) => {
    try {
      loadConfig({ NODE_ENV: 'test', TRUST_PROXY: value });
    } catch (error) {
      return (error as { problems: string[] }).problems[0];
    }
    return undefined;
  };

  it('is off by default and with false, takes a hop count, or a list of addresses, CIDR ranges and presets', () => {
    expect(trustOf(undefined)).toBe(false);
    expect(trustOf('false')).toBe(false);
    expect(trustOf('2')).toBe(2);
    expect(trustOf(' 10.0.0.0/8, 192.168.1.7 ,loopback')).toEqual(['10.0.0.0/8', '192.168.1.7', 'loopback']);
  });

  it('refuses true (any client could choose its address) and anything that is not an address, naming the variable', () => {
    expect(problemOf('true')).toMatch(/^TRUST_PROXY=true would let any client choose its own address/);
    expect(problemOf('10.0.0.0/99')).toMatch(/^TRUST_PROXY must be false, a hop count/);
    expect(problemOf('proxy.example.com')).toMatch(/^TRUST_PROXY must be false, a hop count/);
    expect(problemOf('1000')).toMatch(/^TRUST_PROXY must be a whole number from 1 to 100/);
  });
});
