import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BudgetDocument,
  CategorizeTransactionDocument,
  CreateTransferDocument,
  JarMonthDocument,
  RecordCardPaymentDocument,
  RecordManualTransactionDocument,
  TransactionsDocument,
  type TransactionFieldsFragment,
} from '../generated/graphql.js';
import { createJar, fundedAccount, MCC, setIncome, spend } from '../factories/budget.js';
import { createSession } from '../factories/chat.js';
import { key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { linkThroughConsent } from '../factories/linking.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { converse } from '../helpers/agent.js';
import { TestClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/*
 * The offline assistant reads the one feed (issue 25): last month's spending, "am I over
 * budget?" and a merchant's total come from cards, transfers, cash and the linked bank, and
 * name them; "I spent 12 dollars cash on lunch" records a MANUAL transaction. Every figure
 * expected here is summed from the feed by the test itself.
 */
const clock = new TestClock();
let server: TestServer;
let op: string;
let me: TestUser;
let cardId: string;

const started = clock.now();
const month = (offset: number) => {
  const now = started;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
};
const monthName = (m: string) => new Date(`${m}-01T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
/** "1,250.00 USD" as the answers print an amount. */
const shown = (minor: bigint) => {
  const abs = minor < 0n ? -minor : minor;
  return `${(abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(abs % 100n).padStart(2, '0')} USD`;
};

async function feed(filter: Record<string, unknown>): Promise<TransactionFieldsFragment[]> {
  return (await server.ok(TransactionsDocument, { filter, first: 100 }, { token: me.token })).transactions.edges.map((e) => e.node);
}

/** Spending (OUT, USD) per source, summed here from the feed's rows. */
function bySource(rows: TransactionFieldsFragment[]): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const t of rows) if (t.direction === 'OUT' && t.amount.currency === 'USD') sums.set(t.source, (sums.get(t.source) ?? 0n) + BigInt(t.amount.minor));
  return sums;
}
const total = (sums: Map<string, bigint>) => [...sums.values()].reduce((a, b) => a + b, 0n);

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, LINK_SYNC_INTERVAL: '0' }, clock });
  op = await loginOperator(server);
  me = await registerUser(server);
  const landlord = await registerUser(server);
  await setIncome(server, me.token, 500_000);
  await createJar(server, me.token, 'Home', 4000, ['HOUSING', 'UTILITIES']);
  await createJar(server, me.token, 'Dining', 500, ['DINING']);
  await createJar(server, me.token, 'Groceries', 1500, ['GROCERIES']);
  const mine = await fundedAccount(server, op, me.token, 'USD', 5_000_000);
  cardId = mine.cardId;
  const rentAccount = await openAccount(server, landlord.token);
  clock.set(`${month(-1)}-03T12:00:00Z`);
  const rent = (
    await server.ok(
      CreateTransferDocument,
      {
        input: {
          fromAccountId: mine.accountId,
          toAccountNumber: rentAccount.number,
          amountMinor: '120000',
          currency: 'USD',
          description: 'Rent',
          idempotencyKey: key(),
        },
      },
      { token: me.token },
    )
  ).createTransfer;
  await server.ok(CategorizeTransactionDocument, { id: rent.id, input: { category: 'HOUSING', rememberForCounterparty: true } }, { token: me.token });
  clock.set(`${month(-1)}-05T12:00:00Z`);
  await spend(server, op, cardId, 2_345, MCC.DINING);
  await server.ok(
    RecordCardPaymentDocument,
    { input: { cardId, merchant: 'Fresh Market', merchantCategoryCode: MCC.GROCERIES, amountMinor: '4560', currency: 'USD', idempotencyKey: key() } },
    { token: op },
  );
  await server.ok(
    RecordManualTransactionDocument,
    { input: { amountMinor: '1250', currency: 'USD', description: 'Coffee (cash)', category: 'DINING', occurredOn: `${month(-1)}-06` } },
    { token: me.token },
  );
  clock.set(started);
  await linkThroughConsent(server, me.token);
});
afterAll(() => server?.stop());

it('answers "how much did I spend last month?" from every source and names them', async () => {
  const last = bySource(await feed({ month: month(-1) }));
  expect([...last.keys()].sort()).toEqual(['CARD', 'LINKED', 'MANUAL', 'TRANSFER']);
  const session = await createSession(server, me.token, 'COACHING');
  const run = await converse(server, me.token, session.id, 'how much did I spend last month?');
  expect(run.run.toolCalls.map((c) => [c.tool, c.arguments])).toEqual([['spending_insights', { month: month(-1) }]]);
  expect(run.text).toContain(`In ${monthName(month(-1))} you spent ${shown(total(last))} from every source, including `);
  expect(run.text).toContain(`${shown(last.get('CARD')!)} by card`);
  expect(run.text).toContain(`${shown(120_000n)} on housing by transfer`);
  expect(run.text).toContain(`${shown(last.get('MANUAL')!)} you recorded by hand`);
  expect(run.text).toContain(`${shown(last.get('LINKED')!)} at your other bank`);
});

it('answers "am I over budget?" from jars that count every source, and names the sources', async () => {
  await spend(server, op, cardId, 40_000, MCC.DINING);
  const { budget } = await server.ok(BudgetDocument, {}, { token: me.token });
  const jars = await Promise.all(budget.jars.map(async (j) => (await server.ok(JarMonthDocument, { id: j.id, month: month(0) }, { token: me.token })).jar));
  const over = jars.filter((j) => BigInt(j.month.remaining.minor) < 0n);
  expect(over.map((j) => j.name)).toContain('Dining');
  const now = bySource(await feed({ month: month(0) }));
  const session = await createSession(server, me.token, 'GENERAL');
  const run = await converse(server, me.token, session.id, 'am I over budget?');
  expect(run.run.toolCalls.map((c) => c.tool)).toEqual(['budget_overview', 'spending_insights']);
  expect(run.text).toMatch(new RegExp(`^Yes, in ${monthName(month(0))}: `));
  for (const j of over) {
    const spent = BigInt(j.month.spent.minor);
    expect(run.text).toContain(
      `${j.name} is ${shown(-BigInt(j.month.remaining.minor))} over (${shown(spent)} spent of ${shown(BigInt(j.month.allocated.minor))})`,
    );
  }
  expect(run.text).toContain(`Counted from every source: ${shown(now.get('CARD')!)} by card`);
  if (now.get('LINKED')) expect(run.text).toContain(`${shown(now.get('LINKED')!)} at your other bank`);
});

it('answers "what did I spend at Fresh Market?" with the card payment and the linked bank together', async () => {
  const rows = (await feed({ search: 'Fresh Market' })).filter((t) => t.direction === 'OUT');
  const sums = bySource(rows);
  expect([...sums.keys()].sort()).toEqual(['CARD', 'LINKED']);
  const session = await createSession(server, me.token, 'COACHING');
  const run = await converse(server, me.token, session.id, 'what did I spend at Fresh Market?');
  expect(run.run.toolCalls.map((c) => [c.tool, c.arguments])).toEqual([['list_transactions', { search: 'Fresh Market', first: 100 }]]);
  expect(run.text).toContain(`At Fresh Market you spent ${shown(total(sums))} (`);
  expect(run.text).toContain(`${shown(sums.get('CARD')!)} by card`);
  expect(run.text).toContain(`${shown(sums.get('LINKED')!)} at your other bank`);
  expect(run.text).toContain(`in ${rows.length} transactions.`);
});

it('records "I spent 12 dollars cash on lunch" as a MANUAL transaction today and says so', async () => {
  const session = await createSession(server, me.token, 'COACHING');
  const run = await converse(server, me.token, session.id, 'I spent 12 dollars cash on lunch');
  expect(run.run.toolCalls.map((c) => [c.tool, c.ok, c.arguments])).toEqual([
    ['record_cash_spending', true, { amountMinor: '1200', currency: 'USD', description: 'Lunch (cash)', category: 'DINING' }],
  ]);
  const today = clock.now().toISOString().slice(0, 10);
  const recorded = (await feed({ source: 'MANUAL', search: 'Lunch' })).map((t) => [t.amount.minor, t.description, t.category, t.occurredOn, t.jar?.name]);
  expect(recorded).toEqual([['1200', 'Lunch (cash)', 'DINING', today, 'Dining']]);
  expect(run.text).toMatch(/^Recorded: 12\.00 USD in cash for lunch on \d{4}-\d{2}-\d{2}, as a manual transaction in dining\./);
  expect(run.text).toContain(today);
  // Where it is not offered (GENERAL reads only), nothing is recorded.
  const general = await createSession(server, me.token, 'GENERAL');
  await converse(server, me.token, general.id, 'I spent 12 dollars cash on lunch');
  expect(await feed({ source: 'MANUAL', search: 'Lunch' })).toHaveLength(1);
});
