import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONE_PATH_PER_SESSION } from '../../migrations/Migration20261207192038.js';
import { BranchStateDocument } from '../generated/graphql.js';
import { appendMessages, createSession } from '../factories/chat.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('the migration to message trees', () => {
  it('turns every existing session into one path ending at its last message, losing nothing', async () => {
    const user = await registerUser(server);
    const long = await createSession(server, user.token, 'GENERAL');
    const short = await createSession(server, user.token, 'JOURNALING');
    const empty = await createSession(server, user.token, 'GENERAL');
    await appendMessages(server, long.id, 5);
    await appendMessages(server, short.id, 1, () => 'only');
    const sql = server.app.orm.em.getConnection();
    // As the rows were before the migration: no parents, no leaf.
    await sql.execute('update message set parent_id = null');
    await sql.execute('update chat_session set active_leaf_id = null');
    for (const statement of ONE_PATH_PER_SESSION) await sql.execute(statement);

    const state = async (id: string) => (await server.ok(BranchStateDocument, { id, first: 100 }, { token: user.token })).chatSession;
    const migrated = await state(long.id);
    const ids = migrated.messages.edges.map((e) => e.node.id);
    expect(migrated.messages.edges.map((e) => e.node.content)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
    expect(migrated.messages.edges.map((e) => e.node.parentId)).toEqual([null, ...ids.slice(0, -1)]);
    expect(migrated.activeLeaf?.id).toBe(ids.at(-1));
    const single = await state(short.id);
    expect(single.messages.edges.map((e) => [e.node.content, e.node.parentId])).toEqual([['only', null]]);
    expect(single.activeLeaf?.id).toBe(single.messages.edges[0]!.node.id);
    expect(await state(empty.id)).toMatchObject({ activeLeaf: null, messages: { totalCount: 0, edges: [] } });
  });
});
