import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument } from '../generated/graphql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { registerUser } from '../factories/users.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function post(body: string, contentType = 'application/json') {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

describe('the HTTP endpoint', () => {
  it('reports the process healthy and the database ready and migrated', async () => {
    const health = await fetch(server.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    const ready = await fetch(server.url.replace('/graphql', '/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', pendingMigrations: 0 });
  });

  it('keeps an idle connection 65 s, longer than a load balancer keeps its own, and says so to the client', async () => {
    const ready = await fetch(server.url.replace('/graphql', '/readyz'));
    await ready.body?.cancel();
    expect(ready.headers.get('keep-alive')).toBe('timeout=65');
  });

  it('answers a malformed query with GRAPHQL_PARSE_FAILED and stays up', async () => {
    const res = await post(JSON.stringify({ query: '{ me { username ' }));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.body.errors?.[0]?.message).toMatch(/Syntax Error/);
    expect((await fetch(server.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });

  it('answers an unknown field with GRAPHQL_VALIDATION_FAILED naming the field', async () => {
    const res = await post(JSON.stringify({ query: '{ me { shoeSize } }' }));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors?.[0]?.message).toContain('shoeSize');
  });

  it('answers a variable of the wrong type with BAD_USER_INPUT', async () => {
    const res = await post(JSON.stringify({ query: 'mutation($id: ID!) { revokeAuthSession(id: $id) }', variables: { id: { nested: true } } }));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toContain('$id');
  });

  it('answers a body that is not JSON with BAD_REQUEST and no stack trace', async () => {
    const res = await post('{"query": "{ me { id } }"');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toEqual({ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } });
  });

  it('answers a request with no query with BAD_REQUEST', async () => {
    const res = await post(JSON.stringify({ variables: {} }));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('answers an unknown path with a JSON NOT_FOUND', async () => {
    const res = await fetch(server.url.replace('/graphql', '/nope'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('NOT_FOUND');
  });

  it('serves no chat page unless CHAT_UI is on (it is off outside development)', async () => {
    const base = server.url.replace(/\/graphql$/, '');
    expect(server.app.chatUrl).toBeUndefined();
    expect((await fetch(`${base}/chat`)).status).toBe(404);
    expect((await fetch(`${base}/chat/config.json`)).status).toBe(404);
  });

  it('echoes a sane x-request-id and logs the operation under it, without variables', async () => {
    const user = await registerUser(server);
    const res = await server.gql(MeDocument, {}, { token: user.token, headers: { 'x-request-id': 'req-abc.123' } });
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    // Per caller: never for a shared cache.
    expect(res.headers.get('cache-control')).toBe('no-store');
    const line = server.logs.find((l) => l.reqId === 'req-abc.123' && l.msg === 'graphql operation');
    expect(line).toMatchObject({ op: 'Me', type: 'query', errors: 0, user: user.user.id });
    expect(typeof line?.ms).toBe('number');
    expect(server.rawLogs()).not.toContain(user.password);
  });

  it('generates a request id when the header is missing or unsafe', async () => {
    const res = await server.gql('{ __typename }', undefined, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers queries over the WebSocket on the same path', async () => {
    const user = await registerUser(server);
    const client = server.ws(user.token);
    const result = await new Promise<unknown>((resolve, reject) => {
      client.subscribe({ query: '{ me { username } }' }, { next: resolve, error: reject, complete: () => {} });
    });
    expect(result).toEqual({ data: { me: { username: user.user.username } } });
  });
});
