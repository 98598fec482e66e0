import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BudgetAlertsDocument,
  CategorizeTransactionDocument,
  CreateTransferDocument,
  FeedInsightsDocument,
  JarMonthTransactionsDocument,
  RecordManualTransactionDocument,
  SyncLinkedAccountDocument,
  TransactionsDocument,
  type TransactionFieldsFragment,
  type TransactionsQuery,
} from '../generated/graphql.js';
import { createJar, setIncome } from '../factories/budget.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { linkAtSandbox } from '../factories/linking.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startSandboxBankProcess, type SandboxBankProcess } from '../helpers/sandbox-bank.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { subscribers } from '../helpers/wait.js';

/*
 * Issue 25: rent paid by transfer, a cash coffee and a grocery bill at a linked bank (the
 * sandbox as a process of its own, over HTTP) each reach the right jar, the insights and
 * budgetAlerts, and every figure equals a sum computed here from the feed.
 */
let bank: SandboxBankProcess;
let server: TestServer;
let me: TestUser;

beforeAll(async () => {
  bank = await startSandboxBankProcess();
  server = await startTestServer({ env: { ...bank.env, ...OPERATOR_ENV, LINK_SYNC_INTERVAL: '0' } });
  me = await registerUser(server);
});
afterAll(async () => {
  await server?.stop();
  await bank?.stop();
});

async function feedOf(month: string): Promise<TransactionFieldsFragment[]> {
  const all: TransactionFieldsFragment[] = [];
  for (let after: string | null = null; ;) {
    const page: TransactionsQuery['transactions'] = (await server.ok(TransactionsDocument, { filter: { month }, first: 100, after }, { token: me.token }))
      .transactions;
    all.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return all;
    after = page.pageInfo.endCursor ?? null;
  }
}

it('counts rent by transfer, a cash coffee and a linked grocery bill in their jars, the insights and the alert, equal to sums computed here', async () => {
  const RENT = 120_000n;
  const COFFEE = 450n;
  const GROCERIES_BILL = 8_642n;
  const INCOME = 1_000_000n;
  await setIncome(server, me.token, INCOME);
  const jars = {
    housing: (await createJar(server, me.token, 'Housing', 4000, ['HOUSING'])).id,
    dining: (await createJar(server, me.token, 'Dining', 1, ['DINING'])).id, // 1.00 USD: the coffee tips it over
    groceries: (await createJar(server, me.token, 'Groceries', 2000, ['GROCERIES'])).id,
  };

  // Rent: a transfer to another user's account, OTHER until categorized.
  const op = await loginOperator(server);
  const mine = await openAccount(server, me.token);
  await deposit(server, op, mine.id, 500_000);
  const landlord = await openAccount(server, (await registerUser(server)).token);
  const input = { fromAccountId: mine.id, toAccountNumber: landlord.number, amountMinor: String(RENT), currency: 'USD', idempotencyKey: key() };
  const rentId = (await server.ok(CreateTransferDocument, { input }, { token: me.token })).createTransfer.id;
  const rent = (await server.ok(CategorizeTransactionDocument, { id: rentId, input: { category: 'HOUSING' } }, { token: me.token })).categorizeTransaction;
  expect(rent).toMatchObject({ source: 'TRANSFER', direction: 'OUT', category: 'HOUSING', jar: { id: jars.housing } });
  // The month (and day) the budget files the rent under, in the user's time zone.
  const day = rent.occurredOn;
  const month = day.slice(0, 7);

  // The linked bank: its demo history, then a grocery bill the bank posts today, read by a sync.
  const { account, itemId } = await linkAtSandbox(server, bank, me.token);
  await bank.post('/sandbox/transactions/add', {
    item_id: itemId,
    webhook: false,
    transactions: [{ amount: '86.42', date: day, name: 'FRESH MARKET #12', merchant_name: 'Fresh Market', category: 'FOOD_AND_DRINK_GROCERIES' }],
  });
  expect((await server.ok(SyncLinkedAccountDocument, { id: account.id }, { token: me.token })).syncLinkedAccount.added).toBe(1);

  // The cash coffee, recorded last: it pushes the dining jar over, and budgetAlerts says by how much.
  const base = server.app.deps.pubsub.subscriberCount;
  const alerts = collect(server.ws(me.token), BudgetAlertsDocument);
  await subscribers(server.app, base + 1);
  const coffee = (
    await server.ok(
      RecordManualTransactionDocument,
      { input: { amountMinor: String(COFFEE), currency: 'USD', description: 'Coffee (cash)', category: 'DINING', occurredOn: day } },
      { token: me.token },
    )
  ).recordManualTransaction;
  expect(coffee).toMatchObject({ source: 'MANUAL', jar: { id: jars.dining } });
  const [alert] = await alerts.waitFor(1);
  alerts.stop();

  // Every figure below is a sum over this month's feed, computed here.
  const feed = await feedOf(month);
  const out = feed.filter((t) => t.direction === 'OUT');
  const sum = (list: TransactionFieldsFragment[]) => list.reduce((s, t) => s + BigInt(t.amount.minor), 0n);
  const where = (pick: (t: TransactionFieldsFragment) => boolean) => sum(out.filter(pick));
  const bill = feed.find((t) => t.source === 'LINKED' && t.description === 'Fresh Market')!;
  expect(bill).toMatchObject({ direction: 'OUT', amount: { minor: String(GROCERIES_BILL) }, category: 'GROCERIES', jar: { id: jars.groceries } });
  expect(feed.find((t) => t.id === rentId)).toMatchObject({ jar: { id: jars.housing } });
  expect(feed.find((t) => t.id === coffee.id)).toMatchObject({ jar: { id: jars.dining } });
  expect(feed.every((t) => t.amount.currency === 'USD')).toBe(true);

  const spent = async (jarId: string) =>
    BigInt((await server.ok(JarMonthTransactionsDocument, { id: jarId, month }, { token: me.token })).jar.month.spent.minor);
  for (const jarId of Object.values(jars)) expect(await spent(jarId)).toBe(where((t) => t.jar?.id === jarId));
  // The known amounts: the linked bank holds no rent, and the coffee and the bill are in their jars with the bank's own.
  expect(await spent(jars.housing)).toBe(RENT);
  expect(await spent(jars.dining)).toBe(COFFEE + where((t) => t.source === 'LINKED' && t.category === 'DINING'));
  expect(await spent(jars.groceries)).toBe(GROCERIES_BILL + where((t) => t.source === 'LINKED' && t.category === 'GROCERIES' && t.id !== bill.id));

  const insights = (await server.ok(FeedInsightsDocument, { month, currency: 'USD' }, { token: me.token })).spendingInsights;
  expect(BigInt(insights.totalSpent.minor)).toBe(sum(out));
  expect(BigInt(insights.totalReceived.minor)).toBe(sum(feed.filter((t) => t.direction === 'IN')));
  const linked = out.filter((t) => t.source === 'LINKED');
  expect(Object.fromEntries(insights.bySource.map((s) => [s.source, [BigInt(s.spent.minor), s.transactions]]))).toEqual({
    TRANSFER: [RENT, 1],
    MANUAL: [COFFEE, 1],
    LINKED: [sum(linked), linked.length],
    CARD: [0n, 0],
    GROUP: [0n, 0],
  });
  const categories = [...new Set(out.map((t) => t.category))];
  expect(Object.fromEntries(insights.byCategory.map((c) => [c.category, BigInt(c.spent.minor)]))).toEqual(
    Object.fromEntries(categories.map((c) => [c, where((t) => t.category === c)])),
  );
  const byJar = Object.fromEntries(insights.byJar.filter((j) => j.jar).map((j) => [j.jar!.id, BigInt(j.spent.minor)]));
  expect(byJar).toEqual(Object.fromEntries(Object.values(jars).map((id) => [id, where((t) => t.jar?.id === id)])));
  const largest = [...out].sort((a, b) => Number(BigInt(b.amount.minor) - BigInt(a.amount.minor))).slice(0, 3);
  expect(insights.largestTransactions.map((t) => BigInt(t.amount.minor))).toEqual(largest.map((t) => BigInt(t.amount.minor)));

  expect(alert!.budgetAlerts).toMatchObject({
    month,
    jar: { id: jars.dining, name: 'Dining' },
    allocated: { minor: String(INCOME / 10_000n) },
    spent: { minor: String(where((t) => t.jar?.id === jars.dining)) },
  });
});
