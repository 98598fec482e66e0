import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, SendMessageDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { MemoryRateLimiter } from '../../src/shared/rate-limiter.js';

describe('rate limits per user', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: {
        RATE_LIMIT_OPERATIONS_PER_USER: '8',
        RATE_LIMIT_SUBSCRIBES_PER_USER: '3',
        RATE_LIMIT_SEND_MESSAGE_PER_USER: '2',
        RATE_LIMIT_WINDOW_SECONDS: '60',
      },
    });
  });
  afterAll(() => server?.stop());

  it('refuses HTTP operations over the per-user limit with 429, RATE_LIMITED and retryAfter, and leaves other users alone', async () => {
    const [user, other] = [await registerUser(server), await registerUser(server)];
    for (let i = 0; i < 8; i++) expect((await server.gql(MeDocument, {}, { token: user.token })).errors).toBeUndefined();
    const refused = await server.gql(MeDocument, {}, { token: user.token });
    expect(refused.status).toBe(429);
    expect(refused.errors).toEqual([
      { message: expect.stringMatching(/^Too many requests: try again in \d+ s$/), extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } },
    ]);
    const retryAfter = refused.errors![0]!.extensions!.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('retry-after')).toBe(String(retryAfter));
    expect((await server.gql(MeDocument, {}, { token: other.token })).errors).toBeUndefined();
  });

  it('refuses WebSocket subscribe messages over the per-user limit with RATE_LIMITED and retryAfter, keeping the socket', async () => {
    const user = await registerUser(server);
    const client = server.ws(user.token);
    const run = () =>
      new Promise<{ data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> }>((resolve) => {
        let result: { data?: unknown } = {};
        client.subscribe(
          { query: '{ me { id } }' },
          {
            next: (r) => (result = r),
            error: (errors) => resolve({ errors: errors as Array<{ extensions?: Record<string, unknown> }> }),
            complete: () => resolve(result),
          },
        );
      });
    for (let i = 0; i < 3; i++) expect(await run()).toEqual({ data: { me: { id: user.user.id } } });
    const refused = await run();
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(refused.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
  });

  it('allows fewer sendMessage calls than other operations: agent runs cost money', async () => {
    const user = await registerUser(server);
    const sessions = [await createSession(server, user.token), await createSession(server, user.token), await createSession(server, user.token)];
    const send = (sessionId: string) => server.gql(SendMessageDocument, { input: { sessionId, text: 'hello' } }, { token: user.token });
    expect((await send(sessions[0]!.id)).errors).toBeUndefined();
    expect((await send(sessions[1]!.id)).errors).toBeUndefined();
    const refused = await send(sessions[2]!.id);
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Too many messages to the assistant: try again in \d+ s$/),
      extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) },
    });
  });
});

describe('rate limits per address', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { RATE_LIMIT_OPERATIONS_PER_IP: '5' } });
  });
  afterAll(() => server?.stop());

  it('counts anonymous and signed-in requests from one address together', async () => {
    // The registration is the address's first request, an anonymous one.
    const user = await registerUser(server);
    const anonymous = () => server.gql('{ __typename }');
    const signedIn = () => server.gql(MeDocument, {}, { token: user.token });
    const codes: unknown[] = [];
    for (const send of [signedIn, anonymous, signedIn, anonymous, signedIn, anonymous]) {
      const res = await send();
      codes.push(res.status === 200 ? 'ok' : res.errors?.[0]?.extensions?.code);
    }
    // The user is far under its own limit: the signed-in request is refused for the address's count.
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect((await fetch(server.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });
});

describe('the memory rate limiter', () => {
  it('consumes within the limit, then answers the seconds left in the window until it resets', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    expect([await limiter.consume('k', 2, 10), await limiter.consume('k', 2, 10), await limiter.consume('k', 2, 10)]).toEqual([0, 0, 10]);
    now += 4_500;
    expect(await limiter.consume('k', 2, 10)).toBe(6);
    now += 6_000;
    expect(await limiter.consume('k', 2, 10)).toBe(0);
  });
});
