import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessionEventsDocument } from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('the sweep of sessions with open sockets', () => {
  it('closes (4401) the sockets of a session that ended without this instance hearing of it, and leaves a live one', async () => {
    const [ended, live] = [await registerUser(server), await registerUser(server)];
    const codes: Record<string, number | undefined> = {};
    const open = (name: string, token: string) =>
      collect(server.ws(token, { on: { closed: (e) => (codes[name] = (e as { code: number }).code) } }), AuthSessionEventsDocument);
    const endedSub = await server.subscribed(() => open('ended', ended.token));
    const liveSub = await server.subscribed(() => open('live', live.token));

    // Revoked in the database alone: no SESSION_REVOKED event, as when it was published while this instance was away.
    await server.app.orm.em.getConnection().execute('update "auth_session" set "revoked_at" = now() where "id" = ?', [ended.session.id]);
    await endedSub.ended;
    expect(codes).toEqual({ ended: 4401 });
    liveSub.stop();
  }, 20_000);
});
