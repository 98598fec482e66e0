import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData, DEMO_CUSTOMER } from '../../src/seed/demo.js';
import {
  AccountEntriesDocument,
  AccountsDocument,
  CardPaymentsDocument,
  CardsDocument,
  LoginDocument,
  StatementDocument,
  type CardPaymentFieldsFragment,
  type CardPaymentsQuery,
  type SpendingCategory,
} from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { converse } from '../helpers/agent.js';
import { ledgerSnapshot, ledgerViolations } from '../helpers/ledger.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import { startTestServer, type Gateway, type TestServer } from '../helpers/server.js';

function monthOf(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
}

async function demoToken(server: Gateway): Promise<string> {
  return (await server.ok(LoginDocument, { input: { ...DEMO_CUSTOMER } })).login.accessToken;
}

async function payments(server: Gateway, token: string, filter: { category?: SpendingCategory; month?: string }): Promise<CardPaymentFieldsFragment[]> {
  const nodes: CardPaymentFieldsFragment[] = [];
  let after: string | null = null;
  do {
    const { cardPayments }: CardPaymentsQuery = await server.ok(CardPaymentsDocument, { ...filter, first: 100, after }, { token });
    nodes.push(...cardPayments.edges.map((e) => e.node));
    after = cardPayments.pageInfo.hasNextPage ? (cardPayments.pageInfo.endCursor ?? null) : null;
  } while (after !== null);
  return nodes;
}

const cardsOf = async (server: Gateway, token: string) => (await server.ok(CardsDocument, {}, { token })).cards;

const total = (nodes: CardPaymentFieldsFragment[]) => nodes.filter((p) => p.status === 'APPROVED').reduce((sum, p) => sum + BigInt(p.amount.minor), 0n);
/** 12345n → "123.45" (USD), as the answers print it, with or without a thousands separator. */
const dollars = (minor: bigint) => new RegExp(`${(minor / 100n).toLocaleString('en-US').replace(/,/g, ',?')}\\.${String(minor % 100n).padStart(2, '0')}`);

describe('the demo data', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { SEED_DEMO: 'true' } });
  });
  afterAll(() => server?.stop());

  it('gives the demo customer a card on Checking with two months of everyday card payments and rent paid by transfer, once', async () => {
    const token = await demoToken(server);
    const { accounts } = await server.ok(AccountsDocument, {}, { token });
    const checking = accounts.find((a) => a.name === 'Checking')!;
    const cards = await cardsOf(server, token);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ status: 'ACTIVE', account: { id: checking.id } });
    expect(cards[0]!.last4).toMatch(/^\d{4}$/);

    for (const month of [monthOf(-2), monthOf(-1)]) {
      const inMonth = await payments(server, token, { month });
      expect(inMonth.every((p) => p.status === 'APPROVED')).toBe(true);
      const categories = new Set(inMonth.map((p) => p.category));
      for (const category of ['GROCERIES', 'DINING', 'TRANSPORT', 'SUBSCRIPTIONS']) expect(categories).toContain(category);
      expect(inMonth.length).toBeGreaterThanOrEqual(15);
    }
    expect(await payments(server, token, { month: monthOf(-3) })).toEqual([]);

    const statement = (await server.ok(StatementDocument, { id: checking.id, month: monthOf(-1) }, { token })).account.statement;
    // Salary, rent, savings and the card payments, each one ledger entry on Checking.
    expect(statement.entryCount).toBeGreaterThanOrEqual(3 + 15);
    expect(BigInt(statement.closingBalance.minor)).toBeGreaterThan(0n);
    const activity = await server.ok(AccountEntriesDocument, { id: checking.id, first: 100 }, { token });
    const descriptions = activity.account.entries.edges.map((e) => e.node.description);
    expect(descriptions).toContain('Rent');
    expect(descriptions).toContain('Netflix');

    const before = await ledgerSnapshot(server.app);
    const paymentsBefore = await payments(server, token, {});
    await seedDemoData(server.app.deps, server.app.orm);
    expect(await ledgerSnapshot(server.app)).toEqual(before);
    expect(await payments(server, token, {})).toEqual(paymentsBefore);
    expect(await cardsOf(server, token)).toHaveLength(1);
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('lets the local assistant answer "what did I spend on dining last month?" from the real payments, naming the category and the amount', async () => {
    const token = await demoToken(server);
    const dining = await payments(server, token, { category: 'DINING', month: monthOf(-1) });
    const spent = total(dining);
    expect(spent).toBeGreaterThan(0n);

    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'what did I spend on dining last month?');
    expect(run.run.status).toBe('SUCCEEDED');
    expect(run.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['card_spending', true]]);
    expect(run.run.toolCalls[0]!.arguments).toMatchObject({ category: 'DINING' });
    expect(run.of('ThinkingStep')[0]?.label).toBe('Adding up your card payments');
    expect(run.text).toMatch(/dining/i);
    expect(run.text).toMatch(dollars(spent));
    expect(run.text).toContain(monthOf(-1));
    expect(run.text).toContain('USD');
  });

  it('adds up spending at a merchant (every source), and says so when a category has no card payment', async () => {
    const token = await demoToken(server);
    const session = await createSession(server, token, 'COACHING');
    const month = monthOf(-1);
    const netflix = (await payments(server, token, { month })).filter((p) => p.merchant === 'Netflix');
    // A merchant is asked about across every source (issue 25): the demo pays Netflix only by card.
    const run = await converse(server, token, session.id, 'how much did I pay at Netflix last month?');
    expect(run.run.toolCalls.map((c) => c.tool)).toEqual(['list_transactions']);
    expect(run.text).toMatch(/ by card in \d+ transactions?\./);
    expect(run.text).toMatch(dollars(total(netflix)));
    expect(run.text).toMatch(/Netflix/);

    const none = await converse(server, token, session.id, 'how much did I spend on travel today?');
    expect(none.run.toolCalls.map((c) => c.tool)).toEqual(['card_spending']);
    expect(none.text).toMatch(/no approved card payments on travel today/i);
  });

  it('answers "freeze my card" with a proposal naming the card and freezeCard, and never freezes it itself', async () => {
    const token = await demoToken(server);
    const session = await createSession(server, token, 'COACHING');
    const [card] = await cardsOf(server, token);

    const run = await converse(server, token, session.id, 'freeze my card');
    expect(run.run.status).toBe('SUCCEEDED');
    expect(run.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['list_cards', true]]);
    expect(run.text).toContain(card!.last4);
    expect(run.text).toContain(card!.id);
    expect(run.text).toMatch(/freezeCard/);
    expect(run.text).toMatch(/can't freeze a card myself/);
    // Nothing but the user's own freezeCard changes the card.
    const after = await cardsOf(server, token);
    expect(after.map((c) => c.status)).toEqual(['ACTIVE']);
    // A story about a card is journaling material, not a request.
    expect((await converse(server, token, session.id, 'I froze when my card was declined at the shop')).run.toolCalls).toEqual([]);
  });
});

describe('card_spending on an OpenAI-compatible provider', () => {
  let fake: FakeOpenAi;
  let server: TestServer;
  beforeAll(async () => {
    ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 3000, env: { SEED_DEMO: 'true' } }));
  });
  afterAll(() => server?.stop());

  it('offers card_spending and list_cards (no way to freeze), runs a scripted card_spending call and feeds the model the real totals', async () => {
    const token = await demoToken(server);
    const month = monthOf(-1);
    const spent = total(await payments(server, token, { category: 'GROCERIES', month }));
    const args = { from: `${month}-01`, to: `${monthOf(0)}-01`, category: 'GROCERIES', groupBy: 'merchant' };
    fake.script([
      [{ toolCall: { id: 'call_spend', name: 'card_spending', arguments: JSON.stringify(args), fragments: 3 } }],
      [{ text: 'You spent some money on groceries last month.' }],
    ]);
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'How much went on groceries last month?');
    expect(run.run.status).toBe('SUCCEEDED');

    const offered = (fake.requests.at(-2)?.tools ?? []).map((t) => t.function.name);
    expect(offered).toEqual(expect.arrayContaining(['card_spending', 'list_cards']));
    expect(offered.filter((name) => /freeze/i.test(name))).toEqual([]);
    const schema = fake.requests.at(-2)?.tools?.find((t) => t.function.name === 'card_spending')?.function.parameters as {
      properties: Record<string, { enum?: string[] }>;
    };
    expect(schema.properties.category?.enum).toContain('DINING');

    const finished = run.of('ToolCallFinished');
    expect(finished.map((f) => [f.tool, f.ok])).toEqual([['card_spending', true]]);
    const result = finished[0]!.result as { totals: Array<{ currency: string; spentMinor: string; payments: number }>; groups: Array<{ merchant: string }> };
    expect(result.totals).toEqual([expect.objectContaining({ currency: 'USD', spentMinor: spent.toString() })]);
    expect(result.groups.map((g) => g.merchant)).toEqual(expect.arrayContaining(['Safeway', "Trader Joe's", 'Whole Foods Market']));

    const toolMessage = fake.requests.at(-1)?.messages.find((m) => m.role === 'tool');
    expect(String(toolMessage?.content)).toContain(spent.toString());
    expect(run.text).toBe('You spent some money on groceries last month.');
  });

  it('returns a bad period to the model as an error it can read, not a crash', async () => {
    const token = await demoToken(server);
    fake.script([
      [{ toolCall: { id: 'call_bad', name: 'card_spending', arguments: JSON.stringify({ from: '2026-05-01', to: '2026-04-01' }), fragments: 1 } }],
      [{ text: 'That period is backwards.' }],
    ]);
    const session = await createSession(server, token, 'COACHING');
    const run = await converse(server, token, session.id, 'spending in a backwards period');
    const finished = run.of('ToolCallFinished');
    expect(finished.map((f) => [f.tool, f.ok])).toEqual([['card_spending', false]]);
    expect((finished[0]!.result as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    expect(run.run.status).toBe('SUCCEEDED');
  });
});
