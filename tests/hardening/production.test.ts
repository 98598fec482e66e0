import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const INTROSPECTION = '{ __schema { queryType { name } } }';

async function post(server: TestServer, query: string) {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

function overWs(server: TestServer, token: string, query: string) {
  const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  return new Promise<{ data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> }>((resolve) => {
    let result = {};
    client.subscribe(
      { query },
      {
        next: (r) => (result = r),
        error: (errors) => resolve({ errors: errors as Array<{ message: string; extensions?: { code?: string } }> }),
        complete: () => resolve(result),
      },
    );
  }).finally(() => client.dispose());
}

describe('in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODE_ENV: 'production', METRICS_PORT: '0' } });
  });
  afterAll(() => server?.stop());

  it('refuses introspection over HTTP and WebSocket by default', async () => {
    const http = await post(server, INTROSPECTION);
    expect(http.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(http.errors?.[0]?.message).toMatch(/introspection/i);
    const user = await registerUser(server);
    const ws = await overWs(server, user.token, INTROSPECTION);
    expect(ws.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('strips "Did you mean" field suggestions over HTTP and WebSocket', async () => {
    const http = await post(server, '{ me { usernam } }');
    expect(http.errors?.[0]?.message).toBe('Cannot query field "usernam" on type "User".');
    const user = await registerUser(server);
    const ws = await overWs(server, user.token, '{ me { usernam } }');
    expect(ws.errors?.[0]?.message).toBe('Cannot query field "usernam" on type "User".');
  });
});

describe('introspection and suggestions are configurable', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', METRICS_PORT: '0' } });
  });
  afterAll(() => server?.stop());

  it('answers introspection in production when GRAPHQL_INTROSPECTION=true', async () => {
    expect(await post(server, INTROSPECTION)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('in development and test', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('answers introspection and keeps suggestions', async () => {
    expect(await post(server, INTROSPECTION)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    expect((await post(server, '{ me { usernam } }')).errors?.[0]?.message).toMatch(/Did you mean "username"\?/);
  });
});
