import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_KEYS, startSandboxBankProcess, type SandboxBankProcess } from '../helpers/sandbox-bank.js';

/** The sandbox aggregator on its own, over HTTP: Plaid's /transactions/sync semantics. */
let bank: SandboxBankProcess;
const keys = { client_id: SANDBOX_KEYS.AGGREGATOR_CLIENT_ID, secret: SANDBOX_KEYS.AGGREGATOR_SECRET };
beforeAll(async () => {
  bank = await startSandboxBankProcess();
});
afterAll(() => bank?.stop());

async function link(institution = 'ins_sandbox_demo'): Promise<{ access: string; item: string }> {
  const created = (await bank.post('/sandbox/public_token/create', { institution_id: institution })).body;
  const exchanged = (await bank.post('/item/public_token/exchange', { ...keys, public_token: created.public_token })).body;
  return { access: exchanged.access_token as string, item: created.item_id as string };
}

type SyncPage = {
  added: Array<{ transaction_id: string; pending: boolean; pending_transaction_id: string | null }>;
  removed: Array<{ transaction_id: string }>;
  next_cursor: string;
  has_more: boolean;
};
const sync = async (access: string, cursor: string, count = 500) =>
  (await bank.post('/transactions/sync', { ...keys, access_token: access, cursor, count })).body as unknown as SyncPage;

describe('the sandbox aggregator', () => {
  it('pages the whole history with has_more, then answers nothing new from the last cursor', async () => {
    const { access } = await link();
    const all = await sync(access, '', 500);
    expect(all.has_more).toBe(false);
    let cursor = '';
    const seen: string[] = [];
    for (;;) {
      const page = await sync(access, cursor, 10);
      seen.push(...page.added.map((t) => t.transaction_id));
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    expect(seen).toEqual(all.added.map((t) => t.transaction_id));
    expect(seen.length).toBeGreaterThan(40);
    expect((await sync(access, cursor)).added).toEqual([]);
  });

  it('fails a page with TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION when the log changed mid-pagination', async () => {
    const { access, item } = await link();
    const first = await sync(access, '', 10);
    expect(first.has_more).toBe(true);
    await bank.post('/sandbox/transactions/add', { item_id: item, transactions: [{ amount: '5.00', name: 'NEW' }], webhook: false });
    const res = await bank.post('/transactions/sync', { ...keys, access_token: access, cursor: first.next_cursor, count: 10 });
    expect(res).toMatchObject({ status: 400, body: { error_code: 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION' } });
  });

  it('posts a pending transaction under a new id that points back at it, and removes the pending one', async () => {
    const { access, item } = await link();
    const history = await sync(access, '');
    const pending = history.added.filter((t) => t.pending).map((t) => t.transaction_id);
    expect(pending.length).toBeGreaterThan(0);
    await bank.post('/sandbox/transactions/post_pending', { item_id: item });
    const next = await sync(access, history.next_cursor);
    expect(next.removed.map((t) => t.transaction_id).sort()).toEqual([...pending].sort());
    expect(next.added.map((t) => t.pending_transaction_id).sort()).toEqual([...pending].sort());
  });

  it('sends no pending transactions for the bank that has none, in its own currency', async () => {
    const { access } = await link('ins_sandbox_euro');
    const history = await sync(access, '');
    expect(history.added.some((t) => t.pending)).toBe(false);
    const accounts = (await bank.post('/accounts/get', { ...keys, access_token: access })).body.accounts as Array<{ iso_currency_code: string }>;
    expect(accounts.map((a) => a.iso_currency_code)).toEqual(['EUR']);
  });

  it('answers ITEM_LOGIN_REQUIRED once the bank wants the user back, and refuses wrong keys', async () => {
    const { access, item } = await link();
    await bank.post('/sandbox/item/reset_login', { item_id: item });
    expect(await bank.post('/transactions/sync', { ...keys, access_token: access, cursor: '' })).toMatchObject({
      status: 400,
      body: { error_code: 'ITEM_LOGIN_REQUIRED' },
    });
    expect(await bank.post('/accounts/get', { client_id: 'x', secret: 'y', access_token: access })).toMatchObject({
      status: 401,
      body: { error_code: 'INVALID_API_KEYS' },
    });
  });
});
