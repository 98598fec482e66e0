import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssignTransactionToJarDocument,
  CategorizeTransactionDocument,
  CreateTransferDocument,
  DeleteManualTransactionDocument,
  FeedInsightsDocument,
  JarMonthTransactionsDocument,
  RecordManualTransactionDocument,
  TransactionByIdDocument,
  TransactionsDocument,
  UpdateManualTransactionDocument,
  type ManualTransactionInput,
  type TransactionFieldsFragment,
} from '../generated/graphql.js';
import { createJar, fundedAccount, MCC, setIncome, spend } from '../factories/budget.js';
import { key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { TestClock } from '../helpers/clock.js';
import { expectError } from '../helpers/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/*
 * One feed (issue 25): card payments, transfers to other people and manual transactions
 * reach the right jar and the insights, and every figure equals a sum computed here.
 */
const clock = new TestClock();
let server: TestServer;
let op: string;
let me: TestUser;
let landlord: { number: string };
let mine: { accountId: string; cardId: string };
let jars: { housing: string; dining: string; groceries: string };

const at = (day: string) => clock.set(`${day}T12:00:00Z`);

async function transfer(token: string, fromAccountId: string, to: { toAccountId: string } | { toAccountNumber: string }, amountMinor: number): Promise<string> {
  const input = { fromAccountId, ...to, amountMinor: String(amountMinor), currency: 'USD', idempotencyKey: key() };
  return (await server.ok(CreateTransferDocument, { input }, { token })).createTransfer.id;
}

async function manual(input: Partial<ManualTransactionInput>, token = me.token): Promise<TransactionFieldsFragment> {
  const full = { amountMinor: '450', currency: 'USD', description: 'Coffee (cash)', category: 'DINING' as const, occurredOn: '2026-10-07', ...input };
  return (await server.ok(RecordManualTransactionDocument, { input: full }, { token })).recordManualTransaction;
}

async function feed(filter: Record<string, unknown> = {}, token = me.token): Promise<TransactionFieldsFragment[]> {
  return (await server.ok(TransactionsDocument, { filter, first: 100 }, { token })).transactions.edges.map((e) => e.node);
}

async function jarSpent(jarId: string, month = '2026-10'): Promise<bigint> {
  return BigInt((await server.ok(JarMonthTransactionsDocument, { id: jarId, month }, { token: me.token })).jar.month.spent.minor);
}

let rentId: string;
let coffee: TransactionFieldsFragment;
let dinnerPaymentId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, clock });
  op = await loginOperator(server);
  me = await registerUser(server);
  const other = await registerUser(server);
  at('2026-09-30');
  await setIncome(server, me.token, 1_000_000);
  jars = {
    housing: (await createJar(server, me.token, 'Housing', 4000, ['HOUSING'])).id,
    dining: (await createJar(server, me.token, 'Dining', 1000, ['DINING'])).id,
    groceries: (await createJar(server, me.token, 'Groceries', 2000, ['GROCERIES'])).id,
  };
  mine = await fundedAccount(server, op, me.token, 'USD', 5_000_000);
  landlord = { number: (await openAccount(server, other.token)).number };
  const savings = await openAccount(server, me.token);
  at('2026-10-01');
  rentId = await transfer(me.token, mine.accountId, { toAccountNumber: landlord.number }, 120_000);
  await transfer(me.token, mine.accountId, { toAccountId: savings.id }, 50_000); // between my own accounts: not spending
  at('2026-10-05');
  dinnerPaymentId = (await spend(server, op, mine.cardId, 1_500, MCC.DINING)).id;
  at('2026-10-06');
  await spend(server, op, mine.cardId, 8_000, MCC.GROCERIES);
  coffee = await manual({});
  clock.reset();
});
afterAll(() => server?.stop());

describe('the transaction feed', () => {
  it('lists card payments, the transfer to another person and the cash coffee, newest first, and not the transfer between my own accounts', async () => {
    const october = await feed({ month: '2026-10' });
    expect(october.map((t) => [t.source, t.direction, t.amount.minor])).toEqual([
      ['MANUAL', 'OUT', '450'],
      ['CARD', 'OUT', '8000'],
      ['CARD', 'OUT', '1500'],
      ['TRANSFER', 'OUT', '120000'],
    ]);
    const rent = october.find((t) => t.source === 'TRANSFER')!;
    expect(rent).toMatchObject({
      id: rentId,
      category: 'OTHER',
      jar: null,
      account: { id: mine.accountId },
      transfer: { id: rentId },
      occurredOn: '2026-10-01',
    });
    expect(october.find((t) => t.amount.minor === '1500')).toMatchObject({
      category: 'DINING',
      jar: { id: jars.dining },
      cardPayment: { id: dinnerPaymentId },
    });
    expect(coffee).toMatchObject({ source: 'MANUAL', category: 'DINING', jar: { id: jars.dining }, occurredOn: '2026-10-07', pending: false });
    // The September deposit is income.
    const september = await feed({ month: '2026-09' });
    expect(september.map((t) => [t.source, t.direction, t.amount.minor])).toEqual([['TRANSFER', 'IN', '5000000']]);
  });

  it('filters by source, category, account and a text search', async () => {
    expect((await feed({ source: 'MANUAL' })).map((t) => t.id)).toEqual([coffee.id]);
    expect((await feed({ category: 'GROCERIES' })).map((t) => t.amount.minor)).toEqual(['8000']);
    expect((await feed({ search: 'COFFEE' })).map((t) => t.id)).toEqual([coffee.id]);
    expect((await feed({ search: '%' })).map((t) => t.id)).toEqual([]);
    expect((await feed({ accountId: mine.accountId, month: '2026-10' })).map((t) => t.source)).toEqual(['CARD', 'CARD', 'TRANSFER']);
  });

  it('refuses another user the transaction (NOT_FOUND) and shows them none of it', async () => {
    const stranger = await registerUser(server);
    expectError(await server.gql(TransactionByIdDocument, { id: coffee.id }, { token: stranger.token }), 'NOT_FOUND');
    expect(await feed({}, stranger.token)).toEqual([]);
  });
});

describe('rent paid by transfer, a cash coffee and card payments in the budget', () => {
  it('counts every source in its jar and in the insights, equal to the sums computed here', async () => {
    at('2026-10-15');
    const rent = (
      await server.ok(CategorizeTransactionDocument, { id: rentId, input: { category: 'HOUSING', rememberForCounterparty: true } }, { token: me.token })
    ).categorizeTransaction;
    clock.reset();
    expect(rent).toMatchObject({ category: 'HOUSING', jar: { id: jars.housing } });

    const october = await feed({ month: '2026-10' });
    const sum = (pick: (t: TransactionFieldsFragment) => boolean) => october.filter(pick).reduce((s, t) => s + BigInt(t.amount.minor), 0n);
    expect(await jarSpent(jars.housing)).toBe(sum((t) => t.jar?.id === jars.housing));
    expect(await jarSpent(jars.housing)).toBe(120_000n);
    expect(await jarSpent(jars.dining)).toBe(1_500n + 450n);
    expect(await jarSpent(jars.groceries)).toBe(8_000n);

    const insights = (await server.ok(FeedInsightsDocument, { month: '2026-10', currency: 'USD' }, { token: me.token })).spendingInsights;
    expect(BigInt(insights.totalSpent.minor)).toBe(sum(() => true));
    expect(Object.fromEntries(insights.bySource.map((s) => [s.source, [s.spent.minor, s.transactions]]))).toEqual({
      CARD: [String(sum((t) => t.source === 'CARD')), 2],
      TRANSFER: ['120000', 1],
      MANUAL: ['450', 1],
      LINKED: ['0', 0],
      GROUP: ['0', 0],
    });
    expect(Object.fromEntries(insights.byCategory.map((c) => [c.category, c.spent.minor]))).toEqual({ HOUSING: '120000', GROCERIES: '8000', DINING: '1950' });
    expect(insights.largestTransactions.map((t) => [t.source, t.amount.minor])).toEqual([
      ['TRANSFER', '120000'],
      ['CARD', '8000'],
      ['CARD', '1500'],
    ]);
    const housing = (await server.ok(JarMonthTransactionsDocument, { id: jars.housing, month: '2026-10' }, { token: me.token })).jar.month.transactions;
    expect(housing.edges.map((e) => e.node.id)).toEqual([rentId]);
  });

  it('puts a later transfer to the same receiving account in the remembered category', async () => {
    at('2026-11-01');
    const next = await transfer(me.token, mine.accountId, { toAccountNumber: landlord.number }, 120_000);
    clock.reset();
    expect((await server.ok(TransactionByIdDocument, { id: next }, { token: me.token })).transaction).toMatchObject({
      category: 'HOUSING',
      jar: { id: jars.housing },
    });
    expect(await jarSpent(jars.housing, '2026-11')).toBe(120_000n);
  });

  it('moves a card payment, a transfer and a manual transaction to another jar and back, the ledger untouched', async () => {
    for (const id of [dinnerPaymentId, coffee.id]) {
      const moved = (await server.ok(AssignTransactionToJarDocument, { id, jarId: jars.groceries }, { token: me.token })).assignTransactionToJar;
      expect(moved.jar?.id).toBe(jars.groceries);
    }
    expect(await jarSpent(jars.dining)).toBe(0n);
    expect(await jarSpent(jars.groceries)).toBe(8_000n + 1_500n + 450n);
    for (const id of [dinnerPaymentId, coffee.id]) {
      const back = (await server.ok(AssignTransactionToJarDocument, { id, jarId: null }, { token: me.token })).assignTransactionToJar;
      expect(back.jar?.id).toBe(jars.dining);
    }
    expect(await jarSpent(jars.dining)).toBe(1_950n);
  });
});

describe('manual transactions', () => {
  it('update and delete only MANUAL ones, and the budget follows', async () => {
    const lunch = await manual({ amountMinor: '1200', description: 'Lunch', occurredOn: '2026-10-08' });
    expect(await jarSpent(jars.dining)).toBe(1_950n + 1_200n);
    const updated = (
      await server.ok(UpdateManualTransactionDocument, { id: lunch.id, input: { amountMinor: '1300', category: 'GROCERIES' } }, { token: me.token })
    ).updateManualTransaction;
    expect(updated).toMatchObject({ amount: { minor: '1300' }, category: 'GROCERIES', jar: { id: jars.groceries }, description: 'Lunch' });
    expect(await jarSpent(jars.dining)).toBe(1_950n);
    expect((await server.ok(DeleteManualTransactionDocument, { id: lunch.id }, { token: me.token })).deleteManualTransaction).toBe(true);
    expectError(await server.gql(TransactionByIdDocument, { id: lunch.id }, { token: me.token }), 'NOT_FOUND');
    expectError(await server.gql(DeleteManualTransactionDocument, { id: rentId }, { token: me.token }), 'BAD_USER_INPUT', 'id');
    expectError(
      await server.gql(UpdateManualTransactionDocument, { id: dinnerPaymentId, input: { description: 'x' } }, { token: me.token }),
      'BAD_USER_INPUT',
      'id',
    );
  });

  it('refuses another currency, days outside 1970..9998, amounts outside the cap and a blank description', async () => {
    const input = { amountMinor: '1', currency: 'USD', description: 'x', category: 'OTHER' as const, occurredOn: '2026-10-01' };
    const record = (patch: Partial<ManualTransactionInput>) =>
      server.gql(RecordManualTransactionDocument, { input: { ...input, ...patch } }, { token: me.token });
    expectError(await record({ currency: 'EUR' }), 'CURRENCY_MISMATCH');
    expectError(await record({ occurredOn: '1969-12-31' }), 'BAD_USER_INPUT', 'occurredOn');
    expectError(await record({ occurredOn: '9999-01-01' }), 'BAD_USER_INPUT', 'occurredOn');
    expectError(await record({ amountMinor: '0' }), 'BAD_USER_INPUT', 'amountMinor');
    expectError(await record({ amountMinor: String(10n ** 15n + 1n) }), 'BAD_USER_INPUT', 'amountMinor');
    expectError(await record({ description: '   ' }), 'BAD_USER_INPUT', 'description');
    expect((await record({ occurredOn: '9998-12-31' })).errors).toBeUndefined();
  });

  it("refuses to recategorize a card payment (the merchant's) and a move to another user's jar", async () => {
    expectError(
      await server.gql(CategorizeTransactionDocument, { id: dinnerPaymentId, input: { category: 'OTHER' } }, { token: me.token }),
      'BAD_USER_INPUT',
      'id',
    );
    const stranger = await registerUser(server);
    const theirs = await createJar(server, stranger.token, 'Theirs', 100, []);
    expectError(await server.gql(AssignTransactionToJarDocument, { id: coffee.id, jarId: theirs.id }, { token: me.token }), 'NOT_FOUND');
  });
});
