import { afterAll, beforeAll, expect, it } from 'vitest';
import { TransactionsDocument, UnlinkAccountDocument } from '../generated/graphql.js';
import { linkThroughConsent } from '../factories/linking.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/*
 * Unlinking an item the aggregator can no longer be told about (issue 25): after a restart of the
 * embedded sandbox, or under another LINK_TOKEN_KEY, the stored token opens nothing. The account
 * is still unlinked here, its transactions kept as asked.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LINK_SYNC_INTERVAL: '0' } });
});
afterAll(() => server?.stop());

it('unlinks an account whose sealed token no longer opens, keeping its transactions', async () => {
  const user = await registerUser(server);
  const [account] = await linkThroughConsent(server, user.token);
  const count = (await server.ok(TransactionsDocument, { filter: { linkedAccountId: account!.id } }, { token: user.token })).transactions.totalCount;
  // A token sealed under another key: what a restart without LINK_TOKEN_KEY leaves behind.
  const sealed = server.app.deps.linking.cipher.seal('access-sandbox-gone', 'another-item');
  await server.app.deps.moneyPool.query(`update "linked_item" set "access_token_sealed" = $1 where "user_id" = $2`, [sealed, user.user.id]);
  const unlinked = (await server.ok(UnlinkAccountDocument, { id: account!.id }, { token: user.token })).unlinkAccount;
  expect(unlinked.status).toBe('DISCONNECTED');
  expect((await server.ok(TransactionsDocument, { filter: { linkedAccountId: account!.id } }, { token: user.token })).transactions.totalCount).toBe(count);
});
