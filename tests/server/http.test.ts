import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
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

  it('caps a long operation name in its log line, as every logged string is', async () => {
    const name = `Op${'x'.repeat(298)}`;
    const res = await server.gql(`query ${name} { __typename }`, undefined, { headers: { 'x-request-id': 'req-long-name' } });
    expect(res.status).toBe(200);
    const line = server.logs.find((l) => l.reqId === 'req-long-name' && l.msg === 'graphql operation');
    expect(line?.op).toBe(`${name.slice(0, 200)}...(100 more)`);
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

/** A POST whose body goes out in chunks with no Content-Length, so the limit can only be found while reading. */
function postChunked(url: string, chunks: string[], agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('POST /graphql with a JSON body (served without express)', () => {
  it('refuses a chunked body that grows past BODY_LIMIT_BYTES with 413, and the connection then serves the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const pad = 'x'.repeat(512 * 1024);
      const over = await postChunked(server.url, ['{"query":"{ __typename }","variables":{"pad":"', ...Array<string>(5).fill(pad), '"}}'], agent);
      expect(over.status).toBe(413);
      expect(JSON.parse(over.body)).toEqual({ errors: [{ message: 'Request body is larger than 2097152 bytes', extensions: { code: 'BAD_REQUEST' } }] });
      const next = await postChunked(server.url, ['{"query":', '"{ __typename }"}'], agent);
      expect(next.status).toBe(200);
      expect(JSON.parse(next.body)).toEqual({ data: { __typename: 'Query' } });
    } finally {
      agent.destroy();
    }
  });

  it('answers JSON that is not an object or an array as express.json did: not valid JSON', async () => {
    for (const body of ['"{ __typename }"', '42', 'null']) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(res.body.errors?.[0]).toEqual({ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } });
    }
  });

  it('takes a charset and a byte-order mark, and answers with the length and type Apollo gives', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: `\uFEFF${JSON.stringify({ query: '{ __typename }' })}`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await res.text();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text)).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a subscription posted without a streaming Accept with 406', async () => {
    const res = await post(JSON.stringify({ query: 'subscription { authSessionEvents { kind } }' }));
    expect(res.status).toBe(406);
    expect(res.body.errors?.[0]?.message).toMatch(/needs a streaming protocol/);
  });

  it('leaves the rest to express: a GET query, a gzipped body, /graphql/ with a slash', async () => {
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });

    const gzipped = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ query: '{ __typename }' })),
    });
    expect(gzipped.status).toBe(200);
    expect(await gzipped.json()).toEqual({ data: { __typename: 'Query' } });

    const slash = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(slash.status).toBe(200);
    expect(await slash.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
