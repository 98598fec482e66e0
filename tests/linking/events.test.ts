import { afterAll, beforeAll, expect, it } from 'vitest';
import { LinkedAccountEventsDocument, SyncLinkedAccountDocument, UnlinkAccountDocument } from '../generated/graphql.js';
import { linkAtSandbox } from '../factories/linking.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startSandboxBankProcess, type SandboxBankProcess } from '../helpers/sandbox-bank.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

/*
 * linkedAccountEvents over graphql-ws with the real client (issue 25): a link's first sync,
 * the bank asking for a sign-in (its webhook), the relink and its sync, a sync on demand and
 * the unlink reach the owner, in order, and nobody else.
 */
let bank: SandboxBankProcess;
let server: TestServer;
let me: TestUser;

beforeAll(async () => {
  bank = await startSandboxBankProcess();
  server = await startTestServer({ env: { ...bank.env, LINK_SYNC_INTERVAL: '0' } });
  me = await registerUser(server);
});
afterAll(async () => {
  await server?.stop();
  await bank?.stop();
});

it('streams SYNCED, LOGIN_REQUIRED, RELINKED, SYNCED and UNLINKED to the owner over graphql-ws, and nothing to another user', async () => {
  const stranger = await registerUser(server);
  const mine = await server.subscribed(() => collect(server.ws(me.token), LinkedAccountEventsDocument));
  const theirs = await server.subscribed(() => collect(server.ws(stranger.token), LinkedAccountEventsDocument));

  const { account, itemId } = await linkAtSandbox(server, bank, me.token);
  const [linked] = await mine.waitFor(1);
  expect(linked!.linkedAccountEvents).toMatchObject({ kind: 'SYNCED', linkedAccount: { id: account.id, status: 'ACTIVE' } });
  expect(linked!.linkedAccountEvents.sync!.added).toBeGreaterThan(40);

  // The bank wants a sign-in: its webhook reaches the gateway, which says so.
  const reset = await bank.post('/sandbox/item/reset_login', { item_id: itemId });
  expect(reset.body.webhook_status).toBe(200);
  const [, loginRequired] = await mine.waitFor(2);
  expect(loginRequired!.linkedAccountEvents).toMatchObject({ kind: 'LOGIN_REQUIRED', linkedAccount: { id: account.id, status: 'LOGIN_REQUIRED' }, sync: null });

  // Missed while signed out; the relink brings them once.
  await bank.post('/sandbox/transactions/add', { item_id: itemId, webhook: false, transactions: [{ amount: '7.00', name: 'MISSED' }] });
  await linkAtSandbox(server, bank, me.token, 'Sandbox Demo Bank', account.id);
  const events = await mine.waitFor(4);
  expect(events.slice(2).map((e) => [e.linkedAccountEvents.kind, e.linkedAccountEvents.linkedAccount.status, e.linkedAccountEvents.sync?.added])).toEqual([
    ['RELINKED', 'ACTIVE', undefined],
    ['SYNCED', 'ACTIVE', 1],
  ]);

  const synced = (await server.ok(SyncLinkedAccountDocument, { id: account.id }, { token: me.token })).syncLinkedAccount;
  const [, , , , onDemand] = await mine.waitFor(5);
  expect(onDemand!.linkedAccountEvents).toMatchObject({ kind: 'SYNCED', sync: { added: synced.added, modified: synced.modified, removed: synced.removed } });

  await server.ok(UnlinkAccountDocument, { id: account.id }, { token: me.token });
  const [, , , , , unlinked] = await mine.waitFor(6);
  expect(unlinked!.linkedAccountEvents).toMatchObject({ kind: 'UNLINKED', linkedAccount: { id: account.id, status: 'DISCONNECTED' } });
  expect(mine.errors).toEqual([]);
  expect(theirs.events).toEqual([]);
  mine.stop();
  theirs.stop();
});
