import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CompleteAccountLinkDocument,
  InstitutionsDocument,
  LinkedAccountTransactionsDocument,
  StartAccountLinkDocument,
  SyncLinkedAccountDocument,
} from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { startSandboxBankProcess, type SandboxBankProcess } from '../helpers/sandbox-bank.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Two gateway instances on one database syncing the same linked item at once: each page is applied once (issue 25). */
let bank: SandboxBankProcess;
let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  bank = await startSandboxBankProcess();
  const env = { ...bank.env, LINK_SYNC_INTERVAL: '0', LINK_TOKEN_KEY: 'ab'.repeat(32) };
  a = await startTestServer({ env });
  b = await startTestServer({ env, databaseUrl: a.app.databaseUrl });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await bank?.stop();
});

it('lets one instance sync an item while the other stands aside, so 1,200 new transactions land once', async () => {
  const user = await registerUser(a);
  const [demo] = (await a.ok(InstitutionsDocument, { search: 'demo' }, { token: user.token })).institutions;
  const session = (await a.ok(StartAccountLinkDocument, { input: { institutionId: demo!.id, redirectUri: 'http://127.0.0.1/back' } }, { token: user.token }))
    .startAccountLink;
  const { body } = await bank.post('/sandbox/public_token/create', { link_token: new URL(session.linkUrl).pathname.split('/').pop() });
  const [account] = (
    await a.ok(CompleteAccountLinkDocument, { input: { linkSessionId: session.id, publicToken: body.public_token as string } }, { token: user.token })
  ).completeAccountLink;
  const count = async () =>
    (await b.ok(LinkedAccountTransactionsDocument, { id: account!.id, first: 1 }, { token: user.token })).linkedAccount.transactions.totalCount;
  const before = await count();
  const many = Array.from({ length: 1200 }, (_, i) => ({ amount: `${(i % 90) + 1}.25`, name: `FLEET ${i}` }));
  await bank.post('/sandbox/transactions/add', { item_id: body.item_id, webhook: false, transactions: many });

  const results = await Promise.all([a, b].map((s) => s.ok(SyncLinkedAccountDocument, { id: account!.id }, { token: user.token })));
  const added = results.map((r) => r.syncLinkedAccount.added).sort((x, y) => x - y);
  expect(added).toEqual([0, 1200]);
  expect(await count()).toBe(before + 1200);
  // The next sync from either instance finds nothing new.
  expect((await b.ok(SyncLinkedAccountDocument, { id: account!.id }, { token: user.token })).syncLinkedAccount.added).toBe(0);
  expect(await count()).toBe(before + 1200);
});
