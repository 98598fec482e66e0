import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../sandbox-bank/signing.js';
import {
  CategorizeTransactionDocument,
  CompleteAccountLinkDocument,
  InstitutionsDocument,
  JarMonthTransactionsDocument,
  LinkedAccountTransactionsDocument,
  LinkedAccountsDocument,
  StartAccountLinkDocument,
  SyncLinkedAccountDocument,
  UnlinkAccountDocument,
  type LinkedAccountFieldsFragment,
} from '../generated/graphql.js';
import { createJar, setIncome } from '../factories/budget.js';
import { linkAtSandbox } from '../factories/linking.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { expectError } from '../helpers/errors.js';
import { SANDBOX_KEYS, startSandboxBankProcess, type SandboxBankProcess } from '../helpers/sandbox-bank.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

/*
 * Linked accounts through the sandbox aggregator, run as a process of its own and reached
 * only over HTTP (issue 25): link, sync, webhooks, faults, sign-in loss and relink, unlink.
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

/** The API's id of a sandbox institution, found by name. */
async function institution(name: string, user = me): Promise<string> {
  const found = (await server.ok(InstitutionsDocument, { search: name }, { token: user.token })).institutions;
  return found.find((i) => i.name === name)!.id;
}

/** Links the institution through the sandbox's test endpoint (the consent page's public token without the page). */
function link(user = me, name = 'Sandbox Demo Bank'): Promise<{ account: LinkedAccountFieldsFragment; itemId: string }> {
  return linkAtSandbox(server, bank, user.token, name);
}

async function transactions(id: string, user = me) {
  return (await server.ok(LinkedAccountTransactionsDocument, { id, first: 100 }, { token: user.token })).linkedAccount.transactions;
}

async function postWebhook(body: string, timestamp = String(Math.floor(Date.now() / 1000)), secret = SANDBOX_KEYS.AGGREGATOR_WEBHOOK_SECRET): Promise<number> {
  const res = await fetch(new URL('/webhooks/aggregator', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-aggregator-timestamp': timestamp, 'x-aggregator-signature': sign(secret, timestamp, body) },
    body,
  });
  return res.status;
}

describe('linking an account', () => {
  it('lists the sandbox institutions and links the demo bank with its history, pending ones included', async () => {
    const institutions = (await server.ok(InstitutionsDocument, { search: 'sandbox' }, { token: me.token })).institutions;
    expect(institutions.map((i) => i.name)).toEqual(['Sandbox Demo Bank', 'Sandbox Euro Bank']);
    const { account } = await link();
    expect(account).toMatchObject({
      institution: { name: 'Sandbox Demo Bank' },
      kind: 'CHECKING',
      currency: 'USD',
      status: 'ACTIVE',
      balance: { minor: '243117' },
    });
    expect(account.lastSyncedAt).not.toBeNull();
    const feed = await transactions(account.id);
    expect(feed.totalCount).toBeGreaterThan(40);
    const nodes = feed.edges.map((e) => e.node);
    expect(nodes.every((t) => t.source === 'LINKED' && t.linkedAccount?.id === account.id)).toBe(true);
    expect(nodes.some((t) => t.pending)).toBe(true);
    expect(new Set(nodes.map((t) => t.category))).toEqual(new Set(['GROCERIES', 'DINING', 'UTILITIES', 'OTHER']));
    expect(nodes.filter((t) => t.direction === 'IN').every((t) => t.description.includes('PAYROLL'))).toBe(true);
  });

  it('serves a consent page with an Allow button that sends the browser back with public_token and link_session_id', async () => {
    const session = (
      await server.ok(
        StartAccountLinkDocument,
        { input: { institutionId: await institution('Sandbox Euro Bank'), redirectUri: 'http://127.0.0.1:9/back' } },
        { token: me.token },
      )
    ).startAccountLink;
    expect(session.linkUrl.startsWith(bank.url)).toBe(true);
    const page = await (await fetch(session.linkUrl)).text();
    expect(page).toMatch(/<button[^>]*>Allow<\/button>/);
    const allowed = await fetch(`${session.linkUrl}/allow`, { method: 'POST', redirect: 'manual' });
    expect(allowed.status).toBe(303);
    const back = new URL(allowed.headers.get('location')!);
    expect(back.searchParams.get('link_session_id')).toBe(session.id);
    const accounts = (
      await server.ok(
        CompleteAccountLinkDocument,
        { input: { linkSessionId: session.id, publicToken: back.searchParams.get('public_token')! } },
        { token: me.token },
      )
    ).completeAccountLink;
    expect(accounts.map((a) => [a.currency, a.status])).toEqual([['EUR', 'ACTIVE']]);
    expect((await transactions(accounts[0]!.id)).edges.some((e) => e.node.pending)).toBe(false);
    // Used once.
    expectError(
      await server.gql(CompleteAccountLinkDocument, { input: { linkSessionId: session.id, publicToken: 'x' } }, { token: me.token }),
      'LINK_SESSION_EXPIRED',
    );
  });

  it('stores the access token sealed, never in clear', async () => {
    const db = new pg.Client({ connectionString: server.app.databaseUrl });
    await db.connect();
    try {
      const rows = (await db.query(`select "access_token_sealed" from "linked_item"`)).rows as Array<{ access_token_sealed: string }>;
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.access_token_sealed).not.toMatch(/access-sandbox/);
    } finally {
      await db.end();
    }
  });
});

describe('syncing', () => {
  it('syncs on a signed webhook and refuses forged, stale and replayed ones', async () => {
    const user = await registerUser(server);
    const { account, itemId } = await link(user);
    const before = (await transactions(account.id, user)).totalCount;
    await bank.post('/sandbox/transactions/add', { item_id: itemId, transactions: [{ amount: '42.10', name: 'HARDWARE STORE', merchant_name: 'Bolt & Nut' }] });
    await until(async () => (await transactions(account.id, user)).totalCount === before + 1);

    const body = JSON.stringify({ webhook_type: 'TRANSACTIONS', webhook_code: 'SYNC_UPDATES_AVAILABLE', item_id: itemId, webhook_id: `hook-${Date.now()}` });
    expect(await postWebhook(body, undefined, 'not-the-secret')).toBe(401);
    expect(await postWebhook(body, String(Math.floor(Date.now() / 1000) - 3600))).toBe(401);
    expect(await postWebhook(body)).toBe(200);
    expect(await postWebhook(body)).toBe(409);
  });

  it("replaces a pending transaction with its posted one, keeping the user's category, and drops a removed pending one", async () => {
    const user = await registerUser(server);
    const { account, itemId } = await link(user);
    const pending = (await transactions(account.id, user)).edges.map((e) => e.node).filter((t) => t.pending);
    expect(pending.length).toBeGreaterThan(0);
    await server.ok(CategorizeTransactionDocument, { id: pending[0]!.id, input: { category: 'ENTERTAINMENT' } }, { token: user.token });
    const count = (await transactions(account.id, user)).totalCount;
    await bank.post('/sandbox/transactions/post_pending', { item_id: itemId });
    const result = (await server.ok(SyncLinkedAccountDocument, { id: account.id }, { token: user.token })).syncLinkedAccount;
    expect(result).toMatchObject({ added: pending.length, removed: pending.length });
    const after = (await transactions(account.id, user)).edges.map((e) => e.node);
    expect(after).toHaveLength(count);
    expect(after.some((t) => t.pending)).toBe(false);
    expect(after.filter((t) => t.category === 'ENTERTAINMENT').map((t) => t.amount.minor)).toEqual([pending[0]!.amount.minor]);

    const added = (
      await bank.post('/sandbox/transactions/add', { item_id: itemId, webhook: false, transactions: [{ amount: '9.99', name: 'HOLD', pending: true }] })
    ).body;
    await server.ok(SyncLinkedAccountDocument, { id: account.id }, { token: user.token });
    expect((await transactions(account.id, user)).totalCount).toBe(count + 1);
    await bank.post('/sandbox/transactions/remove', { item_id: itemId, transaction_id: (added.added as string[])[0] });
    await server.ok(SyncLinkedAccountDocument, { id: account.id }, { token: user.token });
    expect((await transactions(account.id, user)).totalCount).toBe(count);
  });

  it('retries rate limits and 5xx, then answers AGGREGATOR_UNAVAILABLE mid-sync and loses or doubles nothing on the next sync', async () => {
    const user = await registerUser(server);
    const { account, itemId } = await link(user);
    const count = (await transactions(account.id, user)).totalCount;
    await bank.post('/sandbox/faults', { status: 429, retry_after: 0, count: 2 });
    await bank.post('/sandbox/transactions/add', { item_id: itemId, webhook: false, transactions: [{ amount: '1.00', name: 'ONE' }] });
    expect((await server.ok(SyncLinkedAccountDocument, { id: account.id }, { token: user.token })).syncLinkedAccount.added).toBe(1);

    const many = Array.from({ length: 700 }, (_, i) => ({ amount: `${i + 1}.00`, name: `BULK ${i}` }));
    await bank.post('/sandbox/transactions/add', { item_id: itemId, webhook: false, transactions: many });
    await bank.post('/sandbox/faults', { status: 503, count: 10, skip: 1 });
    expectError(await server.gql(SyncLinkedAccountDocument, { id: account.id }, { token: user.token }), 'AGGREGATOR_UNAVAILABLE');
    expect((await transactions(account.id, user)).totalCount).toBe(count + 1 + 500);
    await bank.post('/sandbox/faults', { clear: true, count: 0 });
    const again = (await server.ok(SyncLinkedAccountDocument, { id: account.id }, { token: user.token })).syncLinkedAccount;
    expect(again.added).toBe(700);
    expect((await transactions(account.id, user)).totalCount).toBe(count + 1 + 700);
  }, 60_000);

  it('stops at LOGIN_REQUIRED, relinks, and brings the missed transactions once', async () => {
    const user = await registerUser(server);
    const { account, itemId } = await link(user);
    const count = (await transactions(account.id, user)).totalCount;
    await bank.post('/sandbox/item/reset_login', { item_id: itemId });
    await until(async () => (await server.ok(LinkedAccountsDocument, {}, { token: user.token })).linkedAccounts[0]!.status === 'LOGIN_REQUIRED');
    await bank.post('/sandbox/transactions/add', {
      item_id: itemId,
      webhook: false,
      transactions: [
        { amount: '3.00', name: 'MISSED A' },
        { amount: '4.00', name: 'MISSED B' },
      ],
    });
    expectError(await server.gql(SyncLinkedAccountDocument, { id: account.id }, { token: user.token }), 'LINK_LOGIN_REQUIRED');

    const session = (
      await server.ok(StartAccountLinkDocument, { input: { institutionId: account.institution.id, relinkAccountId: account.id } }, { token: user.token })
    ).startAccountLink;
    const { body } = await bank.post('/sandbox/public_token/create', { link_token: new URL(session.linkUrl).pathname.split('/').pop() });
    expect(body.item_id).toBe(itemId);
    const relinked = (
      await server.ok(CompleteAccountLinkDocument, { input: { linkSessionId: session.id, publicToken: body.public_token as string } }, { token: user.token })
    ).completeAccountLink;
    expect(relinked.map((a) => [a.id, a.status])).toEqual([[account.id, 'ACTIVE']]);
    const after = (await transactions(account.id, user)).edges.map((e) => e.node.description);
    expect(after).toHaveLength(count + 2);
    expect(after.filter((d) => d.startsWith('MISSED')).sort()).toEqual(['MISSED A', 'MISSED B']);
  });

  it('unlinks: no more syncing, the transactions kept or deleted as asked', async () => {
    const user = await registerUser(server);
    const { account } = await link(user);
    const count = (await transactions(account.id, user)).totalCount;
    const unlinked = (await server.ok(UnlinkAccountDocument, { id: account.id }, { token: user.token })).unlinkAccount;
    expect(unlinked.status).toBe('DISCONNECTED');
    expect((await transactions(account.id, user)).totalCount).toBe(count);
    expectError(await server.gql(SyncLinkedAccountDocument, { id: account.id }, { token: user.token }), 'BAD_USER_INPUT', 'id');
    await server.ok(UnlinkAccountDocument, { id: account.id, deleteTransactions: true }, { token: user.token });
    expect((await transactions(account.id, user)).totalCount).toBe(0);
    const stranger = await registerUser(server);
    expectError(await server.gql(UnlinkAccountDocument, { id: account.id }, { token: stranger.token }), 'NOT_FOUND');
  });
});

describe('the budget reads linked transactions', () => {
  it('counts a linked grocery bill in the groceries jar, equal to the sum computed here', async () => {
    const user = await registerUser(server);
    await setIncome(server, user.token, 1_000_000);
    const jar = await createJar(server, user.token, 'Groceries', 3000, ['GROCERIES']);
    const { account } = await link(user);
    const month = new Date().toISOString().slice(0, 7);
    const groceries = (await transactions(account.id, user)).edges
      .map((e) => e.node)
      .filter((t) => t.category === 'GROCERIES' && t.direction === 'OUT' && t.occurredOn.startsWith(month));
    expect(groceries.every((t) => t.jar?.id === jar.id)).toBe(true);
    const expected = groceries.reduce((s, t) => s + BigInt(t.amount.minor), 0n);
    const spent = (await server.ok(JarMonthTransactionsDocument, { id: jar.id, month }, { token: user.token })).jar.month.spent.minor;
    expect(BigInt(spent)).toBe(expected);
  });
});
