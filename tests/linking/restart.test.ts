import pg from 'pg';
import { afterAll, expect } from 'vitest';
import { LinkedAccountTransactionsDocument, SyncLinkedAccountDocument } from '../generated/graphql.js';
import { linkAtSandbox } from '../factories/linking.js';
import { registerUser } from '../factories/users.js';
import { itNeeding, PROCESSES_NEED_POSTGRES } from '../helpers/components.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { killGatewayProcesses, startGatewayProcess, type GatewayProcess } from '../helpers/process.js';
import { startSandboxBankProcess, type SandboxBankProcess } from '../helpers/sandbox-bank.js';
import { until } from '../helpers/wait.js';

/*
 * Issue 25: a restart mid-sync loses and doubles nothing. The sandbox runs as a process of its
 * own and outlives the gateway, which is SIGKILLed after two pages of a sync committed and
 * before its cursor moved; a new gateway process on the same database finishes the job.
 */
let db: TestDatabase;
let bank: SandboxBankProcess;
let sql: pg.Client;

afterAll(async () => {
  killGatewayProcesses();
  await sql?.end();
  await bank?.stop();
  await db?.drop();
});

interface SandboxTxn {
  transaction_id: string;
  amount: string;
  pending: boolean;
  pending_transaction_id: string | null;
}

const PAGE = 500;

itNeeding(
  PROCESSES_NEED_POSTGRES,
  'a gateway killed mid-sync and started again on the same database holds every transaction once, posted ones in place of their pending ones, at the final cursor',
  async () => {
    db = await createTestDatabase();
    bank = await startSandboxBankProcess();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const env = { DATABASE_URL: db.url!, ...bank.env, LINK_SYNC_INTERVAL: '0', LINK_TOKEN_KEY: 'cd'.repeat(32) };
    const first: GatewayProcess = await startGatewayProcess(env);

    const user = await registerUser(first);
    const { account, itemId } = await linkAtSandbox(first, bank, user.token);
    const cursorOf = async () => (await sql.query(`select "cursor" from "linked_item" where "external_id" = $1`, [itemId])).rows[0]?.cursor as string;
    const linkedCursor = await cursorOf();
    expect(linkedCursor).toBe(((await bank.post('/sandbox/item/snapshot', { item_id: itemId })).body as { cursor: string }).cursor);

    // After the link's sync: 700 new ones (every 100th pending), every pending one posts, then 600 more (every 150th pending).
    const bulk = (prefix: string, n: number, every: number) =>
      Array.from({ length: n }, (_, i) => ({
        transaction_id: `${prefix}-${i}`,
        amount: `${(i % 97) + 1}.${String(i % 100).padStart(2, '0')}`,
        name: `${prefix} ${i}`,
        pending: i % every === 0,
      }));
    await bank.post('/sandbox/transactions/add', { item_id: itemId, webhook: false, transactions: bulk('early', 700, 100) });
    const posted = (await bank.post('/sandbox/transactions/post_pending', { item_id: itemId })).body.posted as number;
    expect(posted).toBeGreaterThan(7);
    await bank.post('/sandbox/transactions/add', { item_id: itemId, webhook: false, transactions: bulk('late', 600, 150) });

    // Pages one and two are answered; the third hangs (the client's retries too), so the sync stops with two pages applied.
    await bank.post('/sandbox/faults', { clear: true, skip: 2, count: 4, status: 503, hang_ms: 120_000 });
    const lastOfPageTwo = `late-${2 * PAGE - 700 - 2 * posted - 1}`;
    const syncing = first.gql(SyncLinkedAccountDocument, { id: account.id }, { token: user.token }).catch(() => null);
    await until(async () => (await sql.query(`select 1 from "linked_transaction" where "external_id" = $1`, [lastOfPageTwo])).rowCount === 1, {
      what: 'the second page committed',
      timeoutMs: 20_000,
    });
    expect(await cursorOf()).toBe(linkedCursor);
    first.child.kill('SIGKILL');
    expect(await first.exit).toBeNull();
    await syncing;
    await bank.post('/sandbox/faults', { clear: true, count: 0 });

    const second = await startGatewayProcess(env);
    const synced = (await second.ok(SyncLinkedAccountDocument, { id: account.id }, { token: user.token })).syncLinkedAccount;
    expect(synced.added).toBeGreaterThan(0);

    const held = (await bank.post('/sandbox/item/snapshot', { item_id: itemId })).body as { transactions: SandboxTxn[]; cursor: string };
    const rows = (await sql.query(`select "external_id", "amount", "direction", "pending" from "linked_transaction" where "account_id" = $1`, [account.id]))
      .rows as Array<{ external_id: string; amount: string; direction: string; pending: boolean }>;
    const signed = (r: (typeof rows)[number]) => (r.direction === 'OUT' ? BigInt(r.amount) : -BigInt(r.amount));
    const minor = (amount: string) => BigInt(amount.replace('.', ''));
    const mine = rows.map((r) => `${r.external_id} ${signed(r)} ${r.pending}`).sort();
    const theirs = held.transactions.map((t) => `${t.transaction_id} ${minor(t.amount)} ${t.pending}`).sort();
    expect(mine).toEqual(theirs);
    expect(new Set(mine).size).toBe(mine.length);
    // A posted transaction stands in place of its pending one, never beside it.
    const replaced = held.transactions.filter((t) => t.pending_transaction_id !== null).map((t) => t.pending_transaction_id!);
    expect(replaced).toHaveLength(posted);
    expect(rows.filter((r) => replaced.includes(r.external_id))).toEqual([]);
    expect(
      rows
        .filter((r) => r.pending)
        .map((r) => r.external_id)
        .sort(),
    ).toEqual(
      held.transactions
        .filter((t) => t.pending)
        .map((t) => t.transaction_id)
        .sort(),
    );
    expect(await cursorOf()).toBe(held.cursor);
    const feed = await second.ok(LinkedAccountTransactionsDocument, { id: account.id, first: 1 }, { token: user.token });
    expect(feed.linkedAccount.transactions.totalCount).toBe(held.transactions.length);
    // Nothing left to do: a further sync adds, modifies and removes nothing.
    expect((await second.ok(SyncLinkedAccountDocument, { id: account.id }, { token: user.token })).syncLinkedAccount).toMatchObject({
      added: 0,
      modified: 0,
      removed: 0,
    });
    await second.stop();
  },
  120_000,
);
