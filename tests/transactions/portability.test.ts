import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AssignTransactionToJarDocument,
  CategorizeTransactionDocument,
  CreateTransferDocument,
  ExportMyDataDocument,
  ImportMyDataDocument,
  LinkedAccountsDocument,
  RecordManualTransactionDocument,
  TransactionsDocument,
  type TransactionFieldsFragment,
} from '../generated/graphql.js';
import { createJar, fundedAccount, setIncome } from '../factories/budget.js';
import { key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { linkThroughConsent } from '../factories/linking.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { expectError } from '../helpers/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/*
 * Export and import carry what lies beyond the ledger (issue 25): manual transactions,
 * categorization rules and linked accounts' transactions with the user's edits; never a
 * token; a linked account comes back DISCONNECTED; importing again doubles nothing.
 */
let server: TestServer;
let op: string;
let alice: TestUser;
let landlordNumber: string;
let doc: Record<string, unknown>;

const feed = async (user: TestUser, filter: Record<string, unknown> = {}): Promise<TransactionFieldsFragment[]> =>
  (await server.ok(TransactionsDocument, { filter, first: 100 }, { token: user.token })).transactions.edges.map((e) => e.node);
/** What a row is, whoever's it is and whatever its id. */
const shape = (t: TransactionFieldsFragment) =>
  [t.source, t.direction, t.amount.minor, t.description, t.category, t.occurredOn, t.pending, t.jar?.name ?? null].join('|');
const imported = async (user: TestUser, data: unknown) => server.ok(ImportMyDataDocument, { data }, { token: user.token });

async function budgetUser(): Promise<TestUser> {
  const user = await registerUser(server);
  await setIncome(server, user.token, 500_000);
  await createJar(server, user.token, 'Dining', 1000, ['DINING']);
  await createJar(server, user.token, 'Groceries', 2000, ['GROCERIES']);
  await createJar(server, user.token, 'Treats', 500, []);
  return user;
}

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, LINK_SYNC_INTERVAL: '0' } });
  op = await loginOperator(server);
  alice = await budgetUser();
  const landlord = await registerUser(server);
  landlordNumber = (await openAccount(server, landlord.token)).number;
  const mine = await fundedAccount(server, op, alice.token);
  const rent = (
    await server.ok(
      CreateTransferDocument,
      { input: { fromAccountId: mine.accountId, toAccountNumber: landlordNumber, amountMinor: '90000', currency: 'USD', idempotencyKey: key() } },
      { token: alice.token },
    )
  ).createTransfer;
  await server.ok(CategorizeTransactionDocument, { id: rent.id, input: { category: 'HOUSING', rememberForCounterparty: true } }, { token: alice.token });
  const cash = (
    await server.ok(
      RecordManualTransactionDocument,
      { input: { amountMinor: '1250', currency: 'USD', description: 'Cake (cash)', category: 'DINING', occurredOn: '2026-10-07' } },
      { token: alice.token },
    )
  ).recordManualTransaction;
  await server.ok(AssignTransactionToJarDocument, { id: cash.id, jarId: (await feedJar(alice, 'Treats'))! }, { token: alice.token });
  await linkThroughConsent(server, alice.token);
  const bistro = (await feed(alice, { source: 'LINKED', search: 'Corner Bistro' }))[0]!;
  await server.ok(
    CategorizeTransactionDocument,
    { id: bistro.id, input: { category: 'ENTERTAINMENT', rememberForCounterparty: true } },
    { token: alice.token },
  );
  await server.ok(AssignTransactionToJarDocument, { id: bistro.id, jarId: (await feedJar(alice, 'Treats'))! }, { token: alice.token });
  doc = (await server.ok(ExportMyDataDocument, {}, { token: alice.token })).exportMyData as Record<string, unknown>;
});
afterAll(() => server?.stop());

async function feedJar(user: TestUser, name: string): Promise<string | undefined> {
  const { BudgetDocument } = await import('../generated/graphql.js');
  return (await server.ok(BudgetDocument, {}, { token: user.token })).budget.jars.find((j) => j.name === name)?.id;
}

it('exports manual transactions, the rules and the linked account with its transactions and edits, and no token, cursor or id', async () => {
  const t = doc.transactions as { manual: unknown[]; rules: unknown[]; linkedAccounts: Array<{ transactions: unknown[]; institutionName: string }> };
  expect(t.manual).toEqual([expect.objectContaining({ description: 'Cake (cash)', amountMinor: '1250', jar: 'Treats', category: 'DINING' })]);
  expect(t.rules).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ accountNumber: landlordNumber, merchant: null, category: 'HOUSING' }),
      expect.objectContaining({ accountNumber: null, merchant: 'corner bistro', category: 'ENTERTAINMENT' }),
    ]),
  );
  expect(t.linkedAccounts.map((a) => a.institutionName)).toEqual(['Sandbox Demo Bank']);
  expect(t.linkedAccounts[0]!.transactions).toHaveLength((await feed(alice, { source: 'LINKED' })).length);
  const text = JSON.stringify(doc);
  // The bank's transaction ids stay (they dedupe a second import); its access token and the sync cursor never leave.
  expect(text).not.toMatch(/access-sandbox|accessToken|access_token|cursor/i);
  for (const id of (await feed(alice)).map((r) => r.id)) expect(text).not.toContain(id);
});

it('imports them into another user: the same rows, the edits kept, the linked account DISCONNECTED; a second import doubles nothing', async () => {
  const bob = await budgetUser();
  await imported(bob, doc);
  const wanted = (await feed(alice))
    .filter((t) => t.source === 'MANUAL' || t.source === 'LINKED')
    .map(shape)
    .sort();
  const got = async () => (await feed(bob)).map(shape).sort();
  expect(await got()).toEqual(wanted);
  expect(wanted.some((s) => s.startsWith('LINKED|OUT|') && s.includes('|ENTERTAINMENT|') && s.endsWith('|Treats'))).toBe(true);
  const linked = (await server.ok(LinkedAccountsDocument, {}, { token: bob.token })).linkedAccounts;
  expect(linked.map((a) => [a.institution.name, a.status])).toEqual([['Sandbox Demo Bank', 'DISCONNECTED']]);

  await imported(bob, doc);
  expect(await got()).toEqual(wanted);
  expect((await server.ok(LinkedAccountsDocument, {}, { token: bob.token })).linkedAccounts).toHaveLength(1);

  // The landlord's rule came along: bob's own rent is housing from the start.
  const bobs = await fundedAccount(server, op, bob.token);
  const rent = (
    await server.ok(
      CreateTransferDocument,
      { input: { fromAccountId: bobs.accountId, toAccountNumber: landlordNumber, amountMinor: '80000', currency: 'USD', idempotencyKey: key() } },
      { token: bob.token },
    )
  ).createTransfer;
  expect((await feed(bob, { source: 'TRANSFER' })).find((r) => r.id === rent.id)?.category).toBe('HOUSING');
});

it('re-imports into the same user without doubling, the linked account still ACTIVE', async () => {
  const before = (await feed(alice)).map(shape).sort();
  await imported(alice, doc);
  expect((await feed(alice)).map(shape).sort()).toEqual(before);
  expect((await server.ok(LinkedAccountsDocument, {}, { token: alice.token })).linkedAccounts.map((a) => a.status)).toEqual(['ACTIVE']);
});

it('refuses manual transactions in another currency than the budget, importing nothing', async () => {
  const carol = await registerUser(server);
  await setIncome(server, carol.token, 500_000, 'EUR');
  expectError(await server.gql(ImportMyDataDocument, { data: { ...doc, budget: null } }, { token: carol.token }), 'CURRENCY_MISMATCH');
  expect(await feed(carol)).toEqual([]);
});
