import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../factories/chat.js';
import { registerUser } from '../factories/users.js';
import { converse } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The statements the sockets send past the ORM (sign-in, the run's owner check, the replay) run
 * on a pool of their own: values bound, never in the text, and a connection handed back after a
 * failed statement. DB_POOL_MAX=2 leaves that pool one connection, so one not handed back stops
 * every later statement.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { DB_POOL_MAX: '2' } });
});
afterAll(() => server?.stop());

describe('statements past the ORM (plainSql)', () => {
  it('binds its values and returns plain rows', async () => {
    const hostile = `it's'); drop table app_user; --`;
    const rows = await server.app.deps.plainSql.execute<{ text: string; n: number; ids: string[] }>('select ?::text as text, ?::int as n, ?::text[] as ids', [
      hostile,
      7,
      '{a,b}',
    ]);
    expect(rows).toEqual([{ text: hostile, n: 7, ids: ['a', 'b'] }]);
  });

  it('takes a ? inside a quoted literal or identifier as text, not as a placeholder', async () => {
    const rows = await server.app.deps.plainSql.execute<{ '?': string; n: number }>(`select 'a?b' as "?", ?::int as n`, [3]);
    expect(rows).toEqual([{ '?': 'a?b', n: 3 }]);
  });

  it('hands its connection back after a failed statement, so sign-in, subscribe and replay still run', { timeout: 20_000 }, async () => {
    for (let i = 0; i < 3; i++) await expect(server.app.deps.plainSql.execute('select 1 / 0', [])).rejects.toMatchObject({ code: '22012' });
    const user = await registerUser(server);
    const session = await createSession(server, user.token, 'GENERAL');
    const run = await converse(server, user.token, session.id, 'show my transactions');
    expect(run.run.status).toBe('SUCCEEDED');
    expect(run.of('ToolCallFinished').map((e) => e.ok)).toEqual([true]);
  });
});
