import { print } from 'graphql';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessionEventsDocument } from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { multipartRequest } from '../helpers/multipart.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { ACCESS_TOKEN_TTL_SECONDS: '10' } });
});
afterAll(() => server?.stop());

describe('a subscription streamed over HTTP and the access token it was opened with', () => {
  it("ends at the token's expiry with an UNAUTHENTICATED part (multipart) or result (SSE), never later", { timeout: 30_000 }, async () => {
    const user = await registerUser(server);
    const expiresAt = new Date(user.accessTokenExpiresAt as string).getTime();
    const query = print(AuthSessionEventsDocument);

    const stream = await multipartRequest(server.url, { query }, { authorization: `Bearer ${user.token}` });
    const sse = (async () => {
      const results = [];
      const client = createClient({ url: `${server.url}/stream`, retryAttempts: 0, headers: { authorization: `Bearer ${user.token}` } });
      for await (const result of client.iterate({ query })) results.push(result);
      return { results, at: Date.now() };
    })();

    await stream.done;
    const multipartEnded = Date.now();
    expect(stream.parts.at(-1)).toEqual({
      payload: null,
      errors: [{ message: expect.stringMatching(/token expired/), extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(stream.ended()).toBe(true);
    const { results, at } = await sse;
    expect(results.at(-1)?.errors?.[0]).toMatchObject({ message: expect.stringMatching(/token expired/), extensions: { code: 'UNAUTHENTICATED' } });
    // At the expiry (a real timer), not a sweep later and never before.
    for (const ended of [multipartEnded, at]) {
      expect(ended).toBeGreaterThanOrEqual(expiresAt - 50);
      expect(ended).toBeLessThan(expiresAt + 2_000);
    }
  });
});
