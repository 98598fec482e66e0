import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAccountDocument, RegisterDocument } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
  // Conditions the application does not expect, made in this test's own database: a normal
  // mutation then meets an unexpected constraint error.
  const connection = server.app.orm.em.fork().getConnection();
  await connection.execute(`alter table "app_user" add constraint "app_user_hygiene_check" check ("email" not like '%@blocked.test')`);
  await connection.execute(`create unique index "account_hygiene_name_unique" on "account" ("name")`);
});
afterAll(() => server?.stop());

const lines = () => server.rawLogs().split('\n');
const unexpected = () => server.logs.filter((l) => l.msg === 'unexpected error in GraphQL operation');
const tag = () => randomBytes(6).toString('hex');

describe('what an unexpected database error writes to the log', () => {
  it('names the SQLSTATE, the constraint, the table and the statement with placeholders, and none of the values (check violation)', async () => {
    const before = unexpected().length;
    const t = tag();
    const input = { username: `hygiene_${t}`, email: `secret_${t}@blocked.test`, password: `correct-horse-${t}` };
    const res = await server.gql(RegisterDocument, { input });
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');

    const logged = unexpected().slice(before);
    expect(logged).toHaveLength(1);
    const err = logged[0]!.err as Record<string, unknown>;
    expect(err).toMatchObject({ sqlState: '23514', constraint: 'app_user_hygiene_check', table: 'app_user' });
    expect(err.statement).toMatch(/^insert into "app_user" \(.*\) values \(\?(, \?)*\)/);
    expect(err).not.toHaveProperty('detail');

    const raw = server.rawLogs();
    for (const value of [t, input.username, input.email, input.password, '$2b$', '$2a$']) expect(raw).not.toContain(value);
  });

  it('drops the driver detail "Key (name)=(...) already exists" and the values of the statement (unique violation)', async () => {
    const before = unexpected().length;
    const name = `Private savings ${tag()}`;
    const other = await registerUser(server);
    await server.ok(OpenAccountDocument, { input: { name, currency: 'EUR' } }, { token: user.token });
    const res = await server.gql(OpenAccountDocument, { input: { name, currency: 'EUR' } }, { token: other.token });
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');

    const logged = unexpected().slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.err).toMatchObject({ sqlState: '23505', constraint: 'account_hygiene_name_unique', table: 'account' });
    expect(String((logged[0]!.err as Record<string, unknown>).message)).toMatch(/duplicate key value violates unique constraint "account_hygiene_name_unique"/);
    expect(server.rawLogs()).not.toContain(name);
    // The owner's id was a bound value too (the operation line names the caller, as it always does).
    expect(JSON.stringify(logged[0])).not.toContain(other.user.id);
  });
});

describe('how much of an input a log line copies', () => {
  const MB = 'x'.repeat(1024 * 1024);

  it('keeps every line under 8 KB when a 1 MB id, alias, operation name and variable arrive over HTTP and WebSocket', async () => {
    const before = lines().length;
    // The id inline, and as a variable.
    await server.gql(`mutation { revokeAuthSession(id: "${MB}") }`, undefined, { token: user.token });
    await server.gql('mutation Revoke($id: ID!) { revokeAuthSession(id: $id) }', { id: MB }, { token: user.token });
    // A 1 MB alias lands in an error's path; a 1 MB operation name in the operation line.
    await server.gql(`mutation { ${'a'.repeat(1024 * 1024)}: revokeAuthSession(id: "${MB.slice(0, 100)}") }`, undefined, { token: user.token });
    await server.gql(`query ${'Q'.repeat(1024 * 1024)} { me { id } }`, undefined, { token: user.token });
    // Over the WebSocket.
    const client = server.ws(user.token);
    await new Promise<void>((resolve) =>
      client.subscribe(
        { query: 'subscription Follow($runId: ID!) { agentEvents(runId: $runId) { seq } }', variables: { runId: MB } },
        { next: () => {}, error: () => resolve(), complete: () => resolve() },
      ),
    );

    const written = lines().slice(before);
    // The operation lines at least (a refused id is NOT_FOUND before any resolver, so no error line).
    expect(written.length).toBeGreaterThanOrEqual(3);
    const longest = Math.max(...written.map((l) => Buffer.byteLength(l)));
    expect(longest).toBeLessThan(8 * 1024);
    // Cut strings say how much was left out.
    expect(written.join('\n')).toMatch(/\.\.\.\(\d+ more\)/);
  });
});
