import { afterAll, beforeAll, expect, it } from 'vitest';
import { LinkedAccountsDocument, RecordManualTransactionDocument, TransactionsDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { setIncome } from '../factories/budget.js';
import { linkThroughConsent } from '../factories/linking.js';
import { registerUser } from '../factories/users.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { converse } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The feed's tools on an OpenAI-compatible provider: a COACHING run records cash spending and reads it back (issue 25). */
let fake: FakeOpenAi;
let server: TestServer;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  server = await startTestServer({ env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'scripted-model', LLM_TIMEOUT_MS: '3000' } });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

it('offers the feed tools to COACHING (read ones to GENERAL), records cash spending as a MANUAL transaction and lists it', async () => {
  const user = await registerUser(server);
  await setIncome(server, user.token, 500_000);
  const record = { amountMinor: '1200', description: 'Lunch (cash)', category: 'DINING', occurredOn: '2026-10-07' };
  fake.script([
    [{ toolCall: { id: 'call_cash', name: 'record_cash_spending', arguments: JSON.stringify(record), fragments: 2 } }],
    [{ toolCall: { id: 'call_list', name: 'list_transactions', arguments: JSON.stringify({ source: 'MANUAL' }), fragments: 1 } }],
    [{ text: 'Recorded 12.00 USD cash for lunch.' }],
  ]);
  const session = await createSession(server, user.token, 'COACHING');
  const run = await converse(server, user.token, session.id, 'I spent 12 dollars cash on lunch');
  expect(run.run.status).toBe('SUCCEEDED');
  const offered = (fake.requests[0]?.tools ?? []).map((t) => t.function.name);
  expect(offered).toEqual(
    expect.arrayContaining(['list_transactions', 'record_cash_spending', 'categorize_transaction', 'list_linked_accounts', 'sync_linked_accounts']),
  );
  const finished = run.of('ToolCallFinished');
  expect(finished.map((f) => [f.tool, f.ok])).toEqual([
    ['record_cash_spending', true],
    ['list_transactions', true],
  ]);
  const feed = (await server.ok(TransactionsDocument, { filter: { source: 'MANUAL' } }, { token: user.token })).transactions.edges.map((e) => e.node);
  expect(feed.map((t) => [t.amount.minor, t.description, t.category, t.occurredOn])).toEqual([['1200', 'Lunch (cash)', 'DINING', '2026-10-07']]);
  expect((finished[1]!.result as { total: number; transactions: Array<{ id: string }> }).transactions.map((t) => t.id)).toEqual([feed[0]!.id]);

  fake.script([[{ text: 'Hello.' }]]);
  const general = await createSession(server, user.token, 'GENERAL');
  await converse(server, user.token, general.id, 'hi');
  const readOnly = (fake.requests.at(-1)?.tools ?? []).map((t) => t.function.name);
  expect(readOnly).toEqual(expect.arrayContaining(['list_transactions', 'list_linked_accounts']));
  expect(readOnly.filter((n) => ['record_cash_spending', 'categorize_transaction', 'sync_linked_accounts'].includes(n))).toEqual([]);
});

it("gives the COACHING model the linked banks' balances and this month's spending by source in its system prompt", async () => {
  const user = await registerUser(server);
  await setIncome(server, user.token, 500_000);
  await linkThroughConsent(server, user.token);
  const month = new Date().toISOString().slice(0, 7);
  await server.ok(
    RecordManualTransactionDocument,
    { input: { amountMinor: '1850', currency: 'USD', description: 'Market (cash)', category: 'GROCERIES', occurredOn: `${month}-01` } },
    { token: user.token },
  );
  const linked = (await server.ok(LinkedAccountsDocument, {}, { token: user.token })).linkedAccounts;
  // This month's spending per source, summed here from the feed.
  const rows = (await server.ok(TransactionsDocument, { filter: { month }, first: 100 }, { token: user.token })).transactions.edges.map((e) => e.node);
  const sum = (source: string) => rows.filter((t) => t.source === source && t.direction === 'OUT').reduce((a, t) => a + BigInt(t.amount.minor), 0n);
  const count = (source: string) => rows.filter((t) => t.source === source && t.direction === 'OUT').length;
  const decimal = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;

  fake.script([[{ text: 'Noted.' }]]);
  const session = await createSession(server, user.token, 'COACHING');
  await converse(server, user.token, session.id, 'How am I doing?');
  const system = String(fake.requests.at(-1)!.messages.find((m) => m.role === 'system')?.content);
  for (const a of linked) {
    expect(system).toContain(
      `- ${a.name} (ending ${a.mask}) at ${a.institution.name}: ${a.balance!.minor.replace(/(\d\d)$/, '.$1')} ${a.currency}, ${a.status}, last synced ${a.lastSyncedAt}`,
    );
  }
  expect(system).toContain(
    `Spent in ${month} by source (USD; jars count every source): cards ${decimal(sum('CARD'))} (${count('CARD')}), transfers to others ${decimal(sum('TRANSFER'))} (${count('TRANSFER')}), ` +
      `entered by hand (cash) ${decimal(sum('MANUAL'))} (${count('MANUAL')}), linked banks ${decimal(sum('LINKED'))} (${count('LINKED')}), ` +
      `own shares of group expenses ${decimal(sum('GROUP'))} (${count('GROUP')}).`,
  );
  expect(sum('MANUAL')).toBe(1850n);
  expect(sum('LINKED')).toBeGreaterThan(0n);
  // GENERAL is not coached: no linked block.
  fake.script([[{ text: 'Hi.' }]]);
  const general = await createSession(server, user.token, 'GENERAL');
  await converse(server, user.token, general.id, 'hi');
  expect(String(fake.requests.at(-1)!.messages.find((m) => m.role === 'system')?.content)).not.toContain('accounts at other banks');
});
