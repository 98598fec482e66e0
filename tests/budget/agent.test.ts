import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER, DEMO_OPERATOR } from '../../src/seed/demo.js';
import {
  AccountsDocument,
  BudgetDocument,
  CardPaymentsDocument,
  CardsDocument,
  FeesDocument,
  GoalsDocument,
  JarMonthDocument,
  LoginDocument,
  SpendingInsightsDocument,
  UpcomingFeesDocument,
} from '../generated/graphql.js';
import { spend } from '../factories/budget.js';
import { createSession } from '../factories/chat.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { converse } from '../helpers/agent.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import { startTestServer, type Gateway, type TestServer } from '../helpers/server.js';

const login = async (server: Gateway, who: { username: string; password: string }) => (await server.ok(LoginDocument, { input: { ...who } })).login.accessToken;

function monthOf(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
}
const monthName = (month: string) => new Date(`${month}-01T00:00:00Z`).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
/** "1,250.00 USD" as the answers print a Money. */
const shown = (m: { decimal: string; currency: string }) => `${m.decimal.replace(/\B(?=(\d{3})+(?!\d))/g, ',')} ${m.currency}`;
/** An overspent amount as the answers say it: "76.00 USD over". */
const unsigned = (m: { decimal: string; currency: string }) => shown({ ...m, decimal: m.decimal.replace(/^-/, '') });

describe('the demo budget', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ env: { SEED_DEMO: 'true' } });
    token = await login(server, DEMO_CUSTOMER);
  });
  afterAll(() => server?.stop());

  it('has an income, five jars covering every card payment category, and three fees due next month', async () => {
    const { budget } = await server.ok(BudgetDocument, {}, { token });
    expect(budget.monthlyIncome?.decimal).toBe('3200.00');
    expect(budget.jars).toHaveLength(5);
    const covered = new Set(budget.jars.flatMap((j) => j.categories));
    const paid = (await server.ok(CardPaymentsDocument, { first: 100 }, { token })).cardPayments.edges.map((e) => e.node.category);
    for (const category of paid) expect(covered).toContain(category);
    expect((await server.ok(FeesDocument, {}, { token })).fees).toHaveLength(3);
    expect((await server.ok(UpcomingFeesDocument, {}, { token })).upcomingFees).toHaveLength(3);
    const insights = (await server.ok(SpendingInsightsDocument, { month: monthOf(-1), currency: 'USD' }, { token })).spendingInsights;
    expect(BigInt(insights.totalSpent.minor)).toBeGreaterThan(0n);
    expect(insights.observations.some((o) => /^Dining is \d+% over its jar\.$/.test(o))).toBe(true);
  });

  /** This month's figures of the jar named `name`, then the answer to `question` in a COACHING session. */
  async function askJar(name: string, question: string) {
    const jar = (await server.ok(BudgetDocument, {}, { token })).budget.jars.find((j) => j.name === name)!;
    const month = (await server.ok(JarMonthDocument, { id: jar.id, month: monthOf(0) }, { token })).jar.month;
    const session = await createSession(server, token, 'COACHING');
    return { month, run: await converse(server, token, session.id, question) };
  }

  it('answers "how much is left in my groceries jar?" from this month’s jar', async () => {
    const { month, run } = await askJar('Groceries', 'how much is left in my groceries jar?');
    expect(run.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['budget_overview', true]]);
    expect(run.text).toContain(`Your Groceries jar has ${shown(month.remaining)} left for ${monthName(monthOf(0))}`);
  });

  it('answers "how much did I spend on dining last month?" with the real card total', async () => {
    const payments = (await server.ok(CardPaymentsDocument, { month: monthOf(-1), category: 'DINING', first: 100 }, { token })).cardPayments.edges;
    const dining = payments.filter((e) => e.node.status === 'APPROVED').reduce((sum, e) => sum + BigInt(e.node.amount.minor), 0n);
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'how much did I spend on dining last month?');
    expect(run.run.toolCalls.map((c) => c.tool)).toEqual(['card_spending']);
    expect(run.text).toContain(`${shown({ decimal: `${dining / 100n}.${String(dining % 100n).padStart(2, '0')}`, currency: 'USD' })} on dining`);
  });

  it('answers "where did my money go in <month>?" by category from spendingInsights', async () => {
    const month = monthOf(-1);
    const insights = (await server.ok(SpendingInsightsDocument, { month, currency: 'USD' }, { token })).spendingInsights;
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, `where did my money go in ${monthName(month)}?`);
    expect(run.run.toolCalls.map((c) => [c.tool, c.arguments])).toEqual([['spending_insights', { month }]]);
    expect(run.text).toContain(`you spent ${shown(insights.totalSpent)} from every source, mostly on ${insights.byCategory[0]!.category.toLowerCase()}`);
    const source = (name: string) => insights.bySource.find((s) => s.source === name)!.spent;
    expect(run.text).toContain(
      `That includes ${shown(source('CARD'))} by card, ${shown(source('TRANSFER'))} on housing by transfer, ${shown(source('MANUAL'))} you recorded by hand (cash and the like), ` +
        `${shown(source('LINKED'))} at your other bank and ${shown(source('GROUP'))} as your share of group expenses you paid.`,
    );
    expect(run.text).toMatch(/Dining is \d+% over its jar\./);
  });

  it('answers "how much did I spend last month?" from every source: the rent by transfer, the cash, the card and the other bank', async () => {
    const insights = (await server.ok(SpendingInsightsDocument, { month: monthOf(-1), currency: 'USD' }, { token })).spendingInsights;
    const source = (name: string) => insights.bySource.find((s) => s.source === name)!.spent;
    expect(source('TRANSFER').decimal).toBe('1200.00');
    // The demo's Flat 3B: demo paid some of last month's shared groceries and utilities.
    for (const name of ['CARD', 'MANUAL', 'LINKED', 'GROUP']) expect(BigInt(source(name).minor)).toBeGreaterThan(0n);
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'how much did I spend last month?');
    expect(run.run.toolCalls.map((c) => c.tool)).toEqual(['spending_insights']);
    expect(run.text).toContain(
      `In ${monthName(monthOf(-1))} ${monthOf(-1).slice(0, 4)} you spent ${shown(insights.totalSpent)} from every source, including ${shown(source('CARD'))} by card, ` +
        `1,200.00 USD on housing by transfer, ${shown(source('MANUAL'))} you recorded by hand (cash and the like), ${shown(source('LINKED'))} at your other bank ` +
        `and ${shown(source('GROUP'))} as your share of group expenses you paid.`,
    );
  });

  it('says a proposed transfer is larger than the source balance when it is', async () => {
    const savings = (await server.ok(AccountsDocument, {}, { token })).accounts.find((a) => a.name === 'Savings')!;
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'send 1000000 dollars from savings to checking');
    expect(run.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['propose_transfer', true]]);
    expect(run.text).toContain(`Savings holds only ${savings.balance.decimal} USD, less than this transfer`);
    const small = await converse(server, token, session.id, 'send 1 dollar from savings to checking');
    expect(small.text).not.toMatch(/holds only/);
  });

  /** This month's figures of every jar. */
  async function jarMonths() {
    const { budget } = await server.ok(BudgetDocument, {}, { token });
    return Promise.all(budget.jars.map(async (j) => (await server.ok(JarMonthDocument, { id: j.id, month: monthOf(0) }, { token })).jar));
  }
  const overLine = (j: Awaited<ReturnType<typeof jarMonths>>[number]) =>
    `${j.name} is ${unsigned(j.month.remaining)} over (${shown(j.month.spent)} spent of ${shown(j.month.allocated)})`;

  it('answers "am I over budget?" yes from the seeded month so far (Transport over, Subscriptions close), then names Dining too once a payment overspends it', async () => {
    const jars = await jarMonths();
    const over = jars.filter((j) => BigInt(j.month.remaining.minor) < 0n);
    expect(over.map((j) => j.name)).toContain('Transport');
    const subscriptions = jars.find((j) => j.name === 'Subscriptions')!.month;
    // Close: at least 80% spent, not over.
    expect(BigInt(subscriptions.remaining.minor)).toBeGreaterThanOrEqual(0n);
    expect(BigInt(subscriptions.spent.minor) * 5n).toBeGreaterThanOrEqual(BigInt(subscriptions.allocated.minor) * 4n);
    const session = await createSession(server, token, 'COACHING');
    const before = await converse(server, token, session.id, 'am I over budget?');
    expect(before.run.toolCalls.map((c) => c.tool)).toEqual(['budget_overview', 'spending_insights']);
    expect(before.text).toMatch(new RegExp(`^Yes, in ${monthName(monthOf(0))} ${monthOf(0).slice(0, 4)}: `));
    for (const j of over) expect(before.text).toContain(overLine(j));
    expect(before.text).toContain('Counted from every source: ');

    const op = await login(server, DEMO_OPERATOR);
    const [card] = (await server.ok(CardsDocument, {}, { token })).cards;
    await spend(server, op, card!.id, 30_000, '5812');
    const dining = (await jarMonths()).find((j) => j.name === 'Dining')!;
    expect(BigInt(dining.month.remaining.minor)).toBeLessThan(0n);
    const after = await converse(server, token, session.id, 'am I over budget?');
    expect(after.text).toContain(overLine(dining));
  });

  it('sets the income and makes a jar when asked, through the budget service, and says what it did', async () => {
    const session = await createSession(server, token, 'COACHING');
    const income = await converse(server, token, session.id, 'set my income to 4200 dollars');
    expect(income.run.toolCalls.map((c) => [c.tool, c.arguments])).toEqual([['set_monthly_income', { amountMinor: '420000', currency: 'USD' }]]);
    expect(income.text).toBe('Done: I set your monthly income to 4,200.00 USD. Your 5 jars hold 65% of it.');
    const jar = await converse(server, token, session.id, 'make a jar for travel with 10%');
    expect(jar.run.toolCalls.map((c) => [c.tool, c.arguments])).toEqual([
      ['create_jar', { name: 'Travel', allocationBasisPoints: 1000, categories: ['TRAVEL'] }],
    ]);
    expect(jar.text).toBe(
      'Done: I made a Travel jar with 10% of your income (420.00 USD a month). Card payments for travel will land in it. Your jars now hold 75% of your income.',
    );
    const { budget } = await server.ok(BudgetDocument, {}, { token });
    expect(budget.monthlyIncome?.minor).toBe('420000');
    expect(budget.jars.find((j) => j.name === 'Travel')).toMatchObject({ allocationBasisPoints: 1000, categories: ['TRAVEL'] });
    const again = await converse(server, token, session.id, 'make a jar for travel with 10%');
    expect(again.text).toMatch(/I couldn't make that jar: You already have a jar called "Travel"/);
  });

  it('answers "what’s left in my dining jar?", typed with a curly apostrophe, from this month’s jar', async () => {
    const { month, run } = await askJar('Dining', 'what’s left in my dining jar?');
    expect(run.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['budget_overview', true]]);
    const left = BigInt(month.remaining.minor) < 0n ? `is ${unsigned(month.remaining)} over` : `has ${shown(month.remaining)} left`;
    expect(run.text).toContain(`Your Dining jar ${left} for ${monthName(monthOf(0))} ${monthOf(0).slice(0, 4)}`);
    expect(run.text).toContain(`${shown(month.allocated)} allocated, ${shown(month.spent)} spent`);
  });

  it('answers "where can I save money?" with the jars spent past their allocation and the largest payments', async () => {
    const op = await login(server, DEMO_OPERATOR);
    const [card] = (await server.ok(CardsDocument, {}, { token })).cards;
    await spend(server, op, card!.id, 50_000, '5812');
    const insights = (await server.ok(SpendingInsightsDocument, { month: monthOf(0), currency: 'USD', first: 3 }, { token })).spendingInsights;
    const over = insights.byJar.filter((j) => BigInt(j.remaining.minor) < 0n);
    expect(over.map((j) => j.jar.name)).toContain('Dining');
    const merchants = new Map(
      (await server.ok(CardPaymentsDocument, { month: monthOf(0), first: 100 }, { token })).cardPayments.edges.map((e) => [e.node.id, e.node]),
    );
    const session = await createSession(server, token, 'GENERAL');
    const run = await converse(server, token, session.id, 'where can I save money?');
    expect(run.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['spending_insights', true]]);
    for (const j of over)
      expect(run.text).toContain(`${j.jar.name} is ${unsigned(j.remaining)} over its jar (${shown(j.spent)} spent of ${shown(j.allocated)})`);
    const largest = insights.largestPayments.map((p) => `${shown(p.amount)} at ${merchants.get(p.id)!.merchant}`);
    expect(largest.length).toBeGreaterThan(0);
    expect(run.text).toContain(`Your largest payments were ${largest[0]}`);
    for (const payment of largest) expect(run.text).toContain(payment);
  });

  it('answers "what fees are coming up?" with each fee due next month, its day and the total', async () => {
    const fees = (await server.ok(UpcomingFeesDocument, {}, { token })).upcomingFees;
    expect(fees.length).toBeGreaterThan(0);
    const total = fees.reduce((sum, f) => sum + BigInt(f.amount.minor), 0n);
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'what fees are coming up?');
    expect(run.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['spending_insights', true]]);
    const lines = fees.map((f) => `- ${f.name}: ${shown(f.amount)} on ${f.nextDueOn}`);
    expect(run.text).toBe(
      `Fees due in ${monthName(monthOf(1))} ${monthOf(1).slice(0, 4)}:\n${lines.join('\n')}\nThat is ${shown({ decimal: (Number(total) / 100).toFixed(2), currency: 'USD' })} in all.`,
    );
  });

  it('answers "how are my goals going?" with each active goal’s progress against its target', async () => {
    const goals = (await server.ok(GoalsDocument, { status: 'ACTIVE' }, { token })).goals.edges.map((e) => e.node);
    const saving = goals.filter((g) => g.target !== null);
    expect(saving.length).toBeGreaterThan(0);
    const session = await createSession(server, token, 'GENERAL');
    const run = await converse(server, token, session.id, 'how are my goals going?');
    expect(run.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['list_goals', true]]);
    for (const g of goals) expect(run.text).toContain(`- ${g.title}`);
    for (const g of saving) {
      const saved = `${g.progress!.decimal} ${g.progress!.currency} saved of ${g.target!.decimal} ${g.target!.currency} (${g.progressBasisPoints! / 100}%)`;
      expect(run.text).toContain(`${g.title}${g.targetDate ? ` (by ${g.targetDate})` : ''}: ${saved}`);
    }
  });
});

describe('the budget tools on an OpenAI-compatible provider', () => {
  let fake: FakeOpenAi;
  let server: TestServer;
  beforeAll(async () => {
    ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 3000, env: { SEED_DEMO: 'true' } }));
  });
  afterAll(() => server?.stop());

  it('offers budget_overview and spending_insights with JSON schemas, runs one scripted call of each and feeds the real figures back', async () => {
    const token = await login(server, DEMO_CUSTOMER);
    const month = monthOf(-1);
    const insights = (await server.ok(SpendingInsightsDocument, { month, currency: 'USD' }, { token })).spendingInsights;
    fake.script([
      [{ toolCall: { id: 'call_budget', name: 'budget_overview', arguments: '{}', fragments: 1 } }],
      [{ toolCall: { id: 'call_insights', name: 'spending_insights', arguments: JSON.stringify({ month, currency: 'USD' }), fragments: 2 } }],
      [{ text: 'Here is your budget.' }],
    ]);
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'How is my budget doing?');
    expect(run.run.status).toBe('SUCCEEDED');
    const first = fake.requests.at(-3)!;
    const offered = (first.tools ?? []).map((t) => t.function.name);
    expect(offered).toEqual(expect.arrayContaining(['budget_overview', 'spending_insights']));
    const schema = first.tools!.find((t) => t.function.name === 'spending_insights')!.function.parameters as {
      properties: Record<string, { pattern?: string }>;
    };
    expect(schema.properties.month?.pattern).toBe('^\\d{4}-\\d{2}$');
    expect(String(first.messages.find((m) => m.role === 'system')?.content)).toMatch(/- Jar Groceries \(12%\): allocated 384\.00/);

    const finished = run.of('ToolCallFinished');
    expect(finished.map((f) => [f.tool, f.ok])).toEqual([
      ['budget_overview', true],
      ['spending_insights', true],
    ]);
    expect((finished[0]!.result as { monthlyIncome: { minor: string } }).monthlyIncome.minor).toBe('320000');
    expect((finished[1]!.result as { totalSpent: { minor: string } }).totalSpent.minor).toBe(insights.totalSpent.minor);
    expect(
      String(
        fake.requests
          .at(-1)!
          .messages.filter((m) => m.role === 'tool')
          .at(-1)?.content,
      ),
    ).toContain(insights.totalSpent.minor);
    expect(run.text).toBe('Here is your budget.');
  });

  it('runs scripted set_monthly_income and create_jar calls through the budget service', async () => {
    const token = await login(server, DEMO_CUSTOMER);
    fake.script([
      [{ toolCall: { id: 'call_income', name: 'set_monthly_income', arguments: JSON.stringify({ amountMinor: '500000' }), fragments: 2 } }],
      [
        {
          toolCall: {
            id: 'call_jar',
            name: 'create_jar',
            arguments: JSON.stringify({ name: 'Gifts', allocationBasisPoints: 300, categories: ['SHOPPING'] }),
            fragments: 1,
          },
        },
      ],
      [{ text: 'Done.' }],
    ]);
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'My income is 5000 now, and make a gifts jar with 3%.');
    expect(run.of('ToolCallFinished').map((f) => [f.tool, f.ok])).toEqual([
      ['set_monthly_income', true],
      ['create_jar', true],
    ]);
    const { budget } = await server.ok(BudgetDocument, {}, { token });
    expect(budget.monthlyIncome).toMatchObject({ minor: '500000', currency: 'USD' });
    expect(budget.jars.find((j) => j.name === 'Gifts')).toMatchObject({ allocationBasisPoints: 300, categories: ['SHOPPING'] });
  });
});
