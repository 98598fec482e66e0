import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccount } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { DateTimeScalar } from '../../src/shared/scalars.js';
import { importDoc } from '../factories/import-doc.js';

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
});
afterAll(() => server?.stop());

const SESSION = 'mutation($input: CreateChatSessionInput!) { createChatSession(input: $input) { id metadata } }';
const IMPORT = 'mutation($data: JSON!) { importMyData(data: $data) { chatSessions } }';

/** `{"a":{"a":...{"a":1}}}`, `depth` objects deep, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

/** An import document with one empty chat session, `session` applied to it. */
const importEmpty = (session: Record<string, unknown>) => importDoc({ metadata: null, messages: [], ...session });

/** The JSON text of `{"a":{"a":...1}}`, `depth` objects deep: JSON.stringify itself overflows long before 10,000. */
const deepText = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** POSTs a body whose variables are given as JSON text, so any depth can be sent. */
async function postRaw(query: string, variablesText: string) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
    body: `{"query":${JSON.stringify(query)},"variables":${variablesText}}`,
  });
  return (await res.json()) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }>; data?: unknown };
}

async function expectBadInput(query: string, variables: Record<string, unknown> | string, field: string): Promise<string> {
  const res = typeof variables === 'string' ? await postRaw(query, variables) : await server.gql(query, variables, { token: user.token });
  const what = JSON.stringify(res.errors ?? res.data).slice(0, 2000);
  expect(
    res.errors?.map((e) => e.extensions?.code),
    what,
  ).toEqual(['BAD_USER_INPUT']);
  const fields = (res.errors![0]!.extensions?.fields ?? []) as Array<{ field: string }>;
  expect(
    fields.map((f) => f.field),
    what,
  ).toContain(field);
  return res.errors![0]!.message;
}

async function stillServing(): Promise<void> {
  const me = await server.ok<{ me: { id: string } }, unknown>('{ me { id } }', {}, { token: user.token });
  expect(me.me.id).toBe(user.user.id);
  expect(server.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
}

describe('JSON inputs are bounded', () => {
  it('refuses chat session metadata nested 10,000 deep, and keeps serving', async () => {
    const message = await expectBadInput(SESSION, `{"input":{"metadata":${deepText(10_000)}}}`, 'metadata');
    expect(message).toMatch(/at most 64 levels deep/);
    await stillServing();
  });

  it('refuses an import document nested 10,000 deep, and keeps serving', async () => {
    const doc = JSON.stringify(importEmpty({ metadata: 'DEEP' })).replace('"DEEP"', deepText(10_000));
    await expectBadInput(IMPORT, `{"data":${doc}}`, 'data');
    await expectBadInput(IMPORT, `{"data":${deepText(10_000)}}`, 'data');
    await stillServing();
  });

  it('accepts 64 levels in any JSON input and refuses 65', async () => {
    const res = await server.gql(IMPORT, { data: nested(64) }, { token: user.token });
    expect(res.errors?.[0]?.extensions?.fields).toEqual([{ field: 'format', message: expect.any(String) }]);
    const message = await expectBadInput(IMPORT, { data: nested(65) }, 'data');
    expect(message).toMatch(/at most 64 levels deep/);
  });

  it('keeps session metadata to 32 levels, so an exported session imports again', async () => {
    const ok = await server.gql(SESSION, { input: { metadata: nested(32) } }, { token: user.token });
    expect(ok.errors).toBeUndefined();
    await expectBadInput(SESSION, { input: { metadata: nested(33) } }, 'metadata');
    await expectBadInput(IMPORT, { data: importEmpty({ metadata: nested(33) }) }, 'chatSessions[0].metadata');
    const exported = await server.ok<{ exportMyData: unknown }, unknown>('{ exportMyData }', {}, { token: user.token });
    const again = await server.gql(IMPORT, { data: exported.exportMyData }, { token: user.token });
    expect(again.errors).toBeUndefined();
  });

  it('refuses a JSON input of more than 200,000 values', async () => {
    const message = await expectBadInput(IMPORT, { data: { junk: new Array(200_001).fill(0) } }, 'data');
    expect(message).toMatch(/at most 200000 values/);
    await stillServing();
  });

  it('refuses a deep JSON literal written in the query itself', async () => {
    const literal = `{ a: ${'['.repeat(100)}1${']'.repeat(100)} }`;
    const res = await server.gql(`mutation { createChatSession(input: { metadata: ${literal} }) { id } }`, {}, { token: user.token });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await stillServing();
  });
});

describe('dates and months are bounded to 1970 through 9998', () => {
  it('refuses statement months outside the range and answers inside it', async () => {
    const account = await openAccount(server, user.token);
    const query = 'query($id: ID!, $m: String!) { account(id: $id) { statement(month: $m) { month entryCount } } }';
    for (const month of ['9999-12', '9999-01', '1969-12', '0000-01']) {
      await expectBadInput(query, { id: account.id, m: month }, 'month');
    }
    for (const month of ['1970-01', '2026-06', '9998-12']) {
      const res = await server.gql(query, { id: account.id, m: month }, { token: user.token });
      expect(res.errors, month).toBeUndefined();
    }
    await stillServing();
  });

  it('refuses import timestamps in year 0 and year 9999, naming the path', async () => {
    const message = { role: 'USER', content: 'hi', createdAt: '0000-01-01T00:00:00Z' };
    await expectBadInput(IMPORT, { data: importEmpty({ messages: [message] }) }, 'chatSessions[0].messages[0].createdAt');
    await expectBadInput(IMPORT, { data: importEmpty({ createdAt: '9999-06-01T00:00:00Z' }) }, 'chatSessions[0].createdAt');
    await stillServing();
  });

  it('the DateTime scalar refuses the same instants', () => {
    expect(() => DateTimeScalar.parseValue('0000-01-01T00:00:00Z')).toThrow(/1970/);
    expect(() => DateTimeScalar.parseValue('9999-01-01T00:00:00Z')).toThrow(/1970/);
    expect(DateTimeScalar.parseValue('2026-01-31T12:00:00Z')).toEqual(new Date('2026-01-31T12:00:00Z'));
  });
});
