import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExportMyDataDocument, ImportMyDataDocument, SaveTemplateDocument, SendMessageDocument, UpdatePreferencesDocument } from '../generated/graphql.js';
import { follow } from '../helpers/agent.js';
import { createSession } from '../factories/chat.js';
import { registerUser } from '../factories/users.js';
import { describeNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { startTestServer, SUITE_RATE_LIMITS, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  if (!RACES_NEED_POSTGRES) server = await startTestServer({ env: { ...SUITE_RATE_LIMITS } });
});
afterAll(() => server?.stop());

const count = async (table: string, userId: string) =>
  Number((await server.app.orm.em.fork().execute<Array<{ n: string }>>(`select count(*)::text as n from "${table}" where "user_id" = ?`, [userId]))[0]!.n);

describeNeeding(RACES_NEED_POSTGRES, 'concurrent requests of one user', () => {
  it('lets 20 parallel importMyData for a fresh user all succeed, with one preferences row and the templates matched, not duplicated', async () => {
    const source = await registerUser(server);
    await server.ok(UpdatePreferencesDocument, { input: { purposeStatement: 'Sleep more', longTermGoals: ['Run a 10k'] } }, { token: source.token });
    await server.ok(
      SaveTemplateDocument,
      { input: { name: 'Gratitude', sections: [{ name: 'Grateful For', description: 'Three things', aliases: ['Thanks'] }] } },
      { token: source.token },
    );
    const doc = (await server.ok(ExportMyDataDocument, {}, { token: source.token })).exportMyData as { templates: unknown[] };
    expect(doc.templates.length).toBe(2);

    const fresh = await registerUser(server);
    const results = await Promise.all(Array.from({ length: 20 }, () => server.gql(ImportMyDataDocument, { data: doc }, { token: fresh.token })));
    expect(results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok')).toEqual(Array(20).fill('ok'));
    expect(await count('user_preferences', fresh.user.id)).toBe(1);
    expect(await count('user_template', fresh.user.id)).toBe(2);
    const [active] = await server.app.orm.em
      .fork()
      .execute<Array<{ n: string }>>(`select count(*)::text as n from "user_template" where "user_id" = ? and "active"`, [fresh.user.id]);
    expect(active!.n).toBe('1');
    expect(server.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('answers 20 parallel sendMessage with the same clientMessageId with the first run, and stores the message once', async () => {
    const user = await registerUser(server);
    const session = await createSession(server, user.token, 'GENERAL', 'Idempotent');
    const input = { sessionId: session.id, text: 'hello there', clientMessageId: 'client-msg-1' };
    const results = await Promise.all(Array.from({ length: 20 }, () => server.gql(SendMessageDocument, { input }, { token: user.token })));
    expect(results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok')).toEqual(Array(20).fill('ok'));
    const ids = new Set(results.map((r) => r.data!.sendMessage.id));
    expect(ids.size).toBe(1);
    const [run] = await server.app.orm.em
      .fork()
      .execute<Array<{ n: string }>>(`select count(*)::text as n from "agent_run" where "session_id" = ?`, [session.id]);
    expect(run!.n).toBe('1');
    const [messages] = await server.app.orm.em
      .fork()
      .execute<Array<{ n: string }>>(`select count(*)::text as n from "message" where "session_id" = ? and "role" = 'USER'`, [session.id]);
    expect(messages!.n).toBe('1');
    await follow(server, user.token, [...ids][0]!);
  });
});
