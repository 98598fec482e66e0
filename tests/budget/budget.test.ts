import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveJarDocument,
  AssignPaymentToJarDocument,
  BudgetAlertsDocument,
  BudgetDocument,
  CreateFeeDocument,
  CreateJarDocument,
  DeleteFeeDocument,
  FeesDocument,
  JarMonthDocument,
  PaymentJarsDocument,
  SetMonthlyIncomeDocument,
  SetTimeZoneDocument,
  SpendingInsightsDocument,
  UpcomingFeesDocument,
  UpdateFeeDocument,
  UpdateJarDocument,
} from '../generated/graphql.js';
import { createJar, fundedAccount, fundedCard, MCC, setIncome, spend } from '../factories/budget.js';
import { deposit, loginOperator, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { TestClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { subscribers } from '../helpers/wait.js';
import { codeOf } from '../helpers/errors.js';

const clock = new TestClock();
let server: TestServer;
let op: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, clock });
  op = await loginOperator(server);
});
afterAll(() => server?.stop());

const as = (user: TestUser) => ({ token: user.token });

describe('income and jars', () => {
  it('keeps jar names unique ignoring case, a category in one jar, and allocations within 100%', async () => {
    const user = await registerUser(server);
    await setIncome(server, user.token, 420_000);
    const groceries = await createJar(server, user.token, 'Groceries', 6000, ['GROCERIES']);
    const dup = await server.gql(CreateJarDocument, { input: { name: '  gROCERIES ', allocationBasisPoints: 100 } }, as(user));
    expect(codeOf(dup)).toBe('JAR_NAME_TAKEN');
    const taken = await server.gql(CreateJarDocument, { input: { name: 'Food', allocationBasisPoints: 100, categories: ['DINING', 'GROCERIES'] } }, as(user));
    expect(codeOf(taken)).toBe('CATEGORY_TAKEN');
    const over = await server.gql(CreateJarDocument, { input: { name: 'Everything', allocationBasisPoints: 4001 } }, as(user));
    expect(codeOf(over)).toBe('BUDGET_OVER_ALLOCATED');
    expect(over.errors![0]!.message).toMatch(/40% is left/);
    const bad = await server.gql(CreateJarDocument, { input: { name: 'Bad', allocationBasisPoints: 10001 } }, as(user));
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    await createJar(server, user.token, 'Everything else', 4000);
    const budget = (await server.ok(BudgetDocument, {}, as(user))).budget;
    expect(budget).toMatchObject({ currency: 'USD', allocatedBasisPoints: 10000, monthlyIncome: { minor: '420000', decimal: '4200.00' } });
    // Archiving frees the allocation and the name.
    await server.ok(ArchiveJarDocument, { id: groceries.id }, as(user));
    await createJar(server, user.token, 'groceries', 6000, ['GROCERIES']);
    const renamed = await server.gql(UpdateJarDocument, { id: groceries.id, input: { name: 'Old' } }, as(user));
    expect(codeOf(renamed)).toBe('BAD_USER_INPUT');
  });

  it('answers another user’s jar, fee and payment ids exactly like missing ones (NOT_FOUND)', async () => {
    const owner = await registerUser(server);
    const intruder = await registerUser(server);
    const card = await fundedCard(server, op, owner.token);
    const jar = await createJar(server, owner.token, 'Mine', 1000, ['GROCERIES']);
    const payment = await spend(server, op, card, 500, MCC.GROCERIES);
    const fee = (
      await server.ok(
        CreateFeeDocument,
        { input: { name: 'Gym', amountMinor: '3000', currency: 'USD', cadence: 'MONTHLY', nextDueOn: '2030-01-05' } },
        as(owner),
      )
    ).createFee;
    const attempts = [
      server.gql(JarMonthDocument, { id: jar.id, month: '2026-10' }, as(intruder)),
      server.gql(UpdateJarDocument, { id: jar.id, input: { name: 'Theirs' } }, as(intruder)),
      server.gql(ArchiveJarDocument, { id: jar.id }, as(intruder)),
      server.gql(UpdateFeeDocument, { id: fee.id, input: { name: 'x' } }, as(intruder)),
      server.gql(DeleteFeeDocument, { id: fee.id }, as(intruder)),
      server.gql(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: null }, as(intruder)),
      server.gql(
        CreateFeeDocument,
        { input: { name: 'x', amountMinor: '1', currency: 'USD', cadence: 'WEEKLY', nextDueOn: '2030-01-01', jarId: jar.id } },
        as(intruder),
      ),
      server.gql(JarMonthDocument, { id: '00000000-0000-7000-8000-000000000000', month: '2026-10' }, as(owner)),
    ];
    for (const r of await Promise.all(attempts)) expect(codeOf(r)).toBe('NOT_FOUND');
    const ownJar = await createJar(server, intruder.token, 'Theirs', 1000);
    expect(codeOf(await server.gql(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: ownJar.id }, as(intruder)))).toBe('NOT_FOUND');
    expect(codeOf(await server.gql(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: ownJar.id }, as(owner)))).toBe('NOT_FOUND');
  });

  it('refuses bad months and days with BAD_USER_INPUT and fees in another currency with CURRENCY_MISMATCH', async () => {
    const user = await registerUser(server);
    const jar = await createJar(server, user.token, 'Any', 100);
    expect(codeOf(await server.gql(JarMonthDocument, { id: jar.id, month: '2026-13' }, as(user)))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.gql(SpendingInsightsDocument, { month: 'October', currency: 'USD' }, as(user)))).toBe('BAD_USER_INPUT');
    const fee = { name: 'Rent', amountMinor: '100000', currency: 'USD', cadence: 'MONTHLY' as const, nextDueOn: '2026-02-30' };
    expect(codeOf(await server.gql(CreateFeeDocument, { input: fee }, as(user)))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.gql(CreateFeeDocument, { input: { ...fee, nextDueOn: '2026-02-01', currency: 'EUR' } }, as(user)))).toBe('CURRENCY_MISMATCH');
    await server.ok(CreateFeeDocument, { input: { ...fee, nextDueOn: '2026-02-01' } }, as(user));
    expect(codeOf(await server.gql(SetMonthlyIncomeDocument, { input: { amountMinor: '1000', currency: 'EUR' } }, as(user)))).toBe('CURRENCY_MISMATCH');
  });
});

describe('jar months', () => {
  it('rounds allocations half to even in JPY (no decimals) without exceeding the income', async () => {
    const user = await registerUser(server);
    await setIncome(server, user.token, 3, 'JPY');
    const a = await createJar(server, user.token, 'A', 5000);
    const b = await createJar(server, user.token, 'B', 5000);
    const months = await Promise.all([a, b].map(async (j) => (await server.ok(JarMonthDocument, { id: j.id, month: '2026-10' }, as(user))).jar.month));
    expect(months.map((m) => m.allocated.decimal)).toEqual(['2', '1']);
  });

  it('keeps exact fils in BHD (3 decimals)', async () => {
    const user = await registerUser(server);
    await setIncome(server, user.token, 1_234_567, 'BHD');
    const jar = await createJar(server, user.token, 'Rent', 1250);
    const month = (await server.ok(JarMonthDocument, { id: jar.id, month: '2026-10' }, as(user))).jar.month;
    expect(month.allocated).toEqual({ minor: '154321', currency: 'BHD', decimal: '154.321' });
  });

  it('counts a payment in the month of the user’s time zone, not UTC', async () => {
    const user = await registerUser(server);
    await server.ok(SetTimeZoneDocument, { timeZone: 'America/New_York' }, as(user));
    expect(codeOf(await server.gql(SetTimeZoneDocument, { timeZone: 'Mars/Olympus' }, as(user)))).toBe('BAD_USER_INPUT');
    await setIncome(server, user.token, 100_000);
    const jar = await createJar(server, user.token, 'Groceries', 5000, ['GROCERIES']);
    const card = await fundedCard(server, op, user.token);
    try {
      clock.set('2026-11-01T03:30:00Z'); // 23:30 on 31 October in New York
      await spend(server, op, card, 1234, MCC.GROCERIES);
      clock.set('2026-11-01T04:30:00Z'); // 00:30 on 1 November in New York
      await spend(server, op, card, 100, MCC.GROCERIES);
    } finally {
      clock.reset();
    }
    const october = (await server.ok(JarMonthDocument, { id: jar.id, month: '2026-10' }, as(user))).jar.month;
    const november = (await server.ok(JarMonthDocument, { id: jar.id, month: '2026-11' }, as(user))).jar.month;
    expect([october.spent.minor, october.remaining.minor, october.payments.totalCount]).toEqual(['1234', '48766', 1]);
    expect([november.spent.minor, november.payments.totalCount]).toEqual(['100', 1]);
  });

  it('moves a payment to another jar and back to its category’s jar without touching the ledger', async () => {
    const user = await registerUser(server);
    await setIncome(server, user.token, 100_000);
    const groceries = await createJar(server, user.token, 'Groceries', 3000, ['GROCERIES']);
    const treats = await createJar(server, user.token, 'Treats', 1000);
    const card = await fundedCard(server, op, user.token);
    const payment = await spend(server, op, card, 2500, MCC.GROCERIES);
    const month = payment.createdAt.slice(0, 7);
    const spentIn = async (id: string) => (await server.ok(JarMonthDocument, { id, month }, as(user))).jar.month.spent.minor;
    expect([await spentIn(groceries.id), await spentIn(treats.id)]).toEqual(['2500', '0']);
    const moved = (await server.ok(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: treats.id }, as(user))).assignPaymentToJar;
    expect(moved).toMatchObject({ category: 'GROCERIES', jar: { id: treats.id, name: 'Treats' } });
    expect([await spentIn(groceries.id), await spentIn(treats.id)]).toEqual(['0', '2500']);
    const payments = (await server.ok(JarMonthDocument, { id: treats.id, month }, as(user))).jar.month.payments;
    expect(payments.edges.map((e) => e.node.id)).toEqual([payment.id]);
    const back = (await server.ok(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: null }, as(user))).assignPaymentToJar;
    expect(back.jar?.id).toBe(groceries.id);
    expect([await spentIn(groceries.id), await spentIn(treats.id)]).toEqual(['2500', '0']);
    const listed = (await server.ok(PaymentJarsDocument, {}, as(user))).cardPayments.edges.map((e) => e.node);
    expect(listed).toEqual([{ id: payment.id, jar: { id: groceries.id } }]);
    // Pages of a jar's month: newest first, the total on every page.
    const second = await spend(server, op, card, 100, MCC.GROCERIES);
    await server.ok(AssignPaymentToJarDocument, { paymentId: second.id, jarId: treats.id }, as(user));
    await server.ok(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: treats.id }, as(user));
    const first = (await server.ok(JarMonthDocument, { id: treats.id, month, first: 1 }, as(user))).jar.month.payments;
    const next = (await server.ok(JarMonthDocument, { id: treats.id, month, first: 1, after: first.pageInfo.endCursor }, as(user))).jar.month.payments;
    const past = (await server.ok(JarMonthDocument, { id: treats.id, month, first: 1, after: next.pageInfo.endCursor }, as(user))).jar.month.payments;
    expect([first, next, past].map((p) => [p.edges.map((e) => e.node.id), p.totalCount, p.pageInfo.hasNextPage])).toEqual([
      [[second.id], 2, true],
      [[payment.id], 2, false],
      [[], 2, false],
    ]);
  });
});

describe('fees', () => {
  it('lists fees due next month once per occurrence, a monthly fee on the 31st on the last day of a shorter month', async () => {
    const user = await registerUser(server);
    const jar = await createJar(server, user.token, 'Bills', 2000);
    const fee = (name: string, cadence: 'WEEKLY' | 'MONTHLY' | 'YEARLY', nextDueOn: string, amountMinor = '1000') =>
      server.ok(CreateFeeDocument, { input: { name, amountMinor, currency: 'USD', cadence, nextDueOn, jarId: jar.id } }, as(user));
    try {
      clock.set('2026-01-15T12:00:00Z');
      const rent = (await fee('Rent', 'MONTHLY', '2026-01-31', '150000')).createFee;
      await fee('Lunch club', 'WEEKLY', '2026-01-29');
      await fee('Domain', 'YEARLY', '2025-03-02');
      const upcoming = (await server.ok(UpcomingFeesDocument, {}, as(user))).upcomingFees;
      expect(upcoming.map((f) => [f.name, f.nextDueOn])).toEqual([
        ['Lunch club', '2026-02-05'],
        ['Lunch club', '2026-02-12'],
        ['Lunch club', '2026-02-19'],
        ['Lunch club', '2026-02-26'],
        ['Rent', '2026-02-28'],
      ]);
      expect(upcoming[4]!.jar?.id).toBe(jar.id);
      await server.ok(UpdateFeeDocument, { id: rent.id, input: { active: false, clearJar: true } }, as(user));
      expect((await server.ok(UpcomingFeesDocument, {}, as(user))).upcomingFees).toHaveLength(4);
      expect((await server.ok(FeesDocument, {}, as(user))).fees.find((f) => f.id === rent.id)).toMatchObject({ active: false, jar: null });
      expect((await server.ok(DeleteFeeDocument, { id: rent.id }, as(user))).deleteFee).toBe(true);
      expect((await server.ok(FeesDocument, {}, as(user))).fees).toHaveLength(2);
    } finally {
      clock.reset();
    }
  });
});

describe('spending insights', () => {
  it('equal the sums of the payments the test made, by category and jar, with the change from the previous month', async () => {
    const user = await registerUser(server);
    await setIncome(server, user.token, 300_000);
    const dining = await createJar(server, user.token, 'Dining', 1000, ['DINING']);
    const groceries = await createJar(server, user.token, 'Groceries', 2000, ['GROCERIES']);
    const made: Array<{ month: string; mcc: string; amount: number }> = [];
    try {
      clock.set('2026-09-01T12:00:00Z');
      const { accountId, cardId: card } = await fundedAccount(server, op, user.token);
      clock.set('2026-10-01T12:00:00Z');
      await deposit(server, op, accountId, 5_000);
      for (const [at, mcc, amount] of [
        ['2026-09-10T12:00:00Z', MCC.GROCERIES, 8000],
        ['2026-09-20T12:00:00Z', MCC.SUBSCRIPTIONS, 1000],
        ['2026-10-02T12:00:00Z', MCC.DINING, 22_000],
        ['2026-10-03T12:00:00Z', MCC.DINING, 20_000],
        ['2026-10-05T12:00:00Z', MCC.GROCERIES, 7_345],
        ['2026-10-09T12:00:00Z', MCC.SUBSCRIPTIONS, 2_200],
        ['2026-10-30T12:00:00Z', MCC.TRANSPORT, 999],
      ] as const) {
        clock.set(at);
        await spend(server, op, card, amount, mcc);
        made.push({ month: at.slice(0, 7), mcc, amount });
      }
      clock.set('2026-10-31T12:00:00Z');
      await server.ok(
        CreateFeeDocument,
        { input: { name: 'Rent', amountMinor: '120000', currency: 'USD', cadence: 'MONTHLY', nextDueOn: '2026-11-01' } },
        as(user),
      );
      await server.ok(
        CreateFeeDocument,
        { input: { name: 'Music', amountMinor: '1000', currency: 'USD', cadence: 'MONTHLY', nextDueOn: '2026-11-12' } },
        as(user),
      );
      await server.ok(
        CreateFeeDocument,
        { input: { name: 'Bank', amountMinor: '4000', currency: 'USD', cadence: 'YEARLY', nextDueOn: '2026-11-20' } },
        as(user),
      );
    } finally {
      clock.reset();
    }
    const sum = (month: string, mcc?: string) =>
      made.filter((p) => p.month === month && (mcc === undefined || p.mcc === mcc)).reduce((s, p) => s + p.amount, 0);
    const insights = (await server.ok(SpendingInsightsDocument, { month: '2026-10', currency: 'usd', first: 2 }, as(user))).spendingInsights;
    expect(insights.totalSpent.minor).toBe(String(sum('2026-10')));
    expect(insights.changeFromPreviousMonth.minor).toBe(String(sum('2026-10') - sum('2026-09')));
    expect(insights.totalReceived.minor).toBe('5000');
    expect(Object.fromEntries(insights.byCategory.map((c) => [c.category, c.spent.minor]))).toEqual({
      DINING: String(sum('2026-10', MCC.DINING)),
      GROCERIES: String(sum('2026-10', MCC.GROCERIES)),
      SUBSCRIPTIONS: String(sum('2026-10', MCC.SUBSCRIPTIONS)),
      TRANSPORT: String(sum('2026-10', MCC.TRANSPORT)),
    });
    expect(insights.byJar.map((j) => [j.jar.id, j.allocated.minor, j.spent.minor])).toEqual([
      [dining.id, '30000', String(sum('2026-10', MCC.DINING))],
      [groceries.id, '60000', String(sum('2026-10', MCC.GROCERIES))],
    ]);
    expect(insights.largestPayments.map((p) => p.amount.minor)).toEqual(['22000', '20000']);
    expect(insights.upcomingFees).toHaveLength(3);
    expect(insights.observations).toEqual([
      'Dining is 40% over its jar.',
      'Subscriptions rose by 12.00 USD.',
      '3 fees are due next month totalling 1,250.00 USD.',
    ]);
    const other = (await server.ok(SpendingInsightsDocument, { month: '2026-10', currency: 'EUR' }, as(user))).spendingInsights;
    expect([other.totalSpent.minor, other.byJar, other.income]).toEqual(['0', [], null]);
  });
});

describe('budget alerts', () => {
  it('fires once per jar and month when a card payment pushes a jar over its allocation', async () => {
    const user = await registerUser(server);
    await setIncome(server, user.token, 10_000);
    const dining = await createJar(server, user.token, 'Dining', 1000, ['DINING']); // 10.00 USD
    const travel = await createJar(server, user.token, 'Transport', 500, ['TRANSPORT']); // 5.00 USD
    const card = await fundedCard(server, op, user.token);
    const base = server.app.deps.pubsub.subscriberCount;
    const alerts = collect(server.ws(user.token), BudgetAlertsDocument);
    await subscribers(server.app, base + 1);
    await spend(server, op, card, 600, MCC.DINING);
    await spend(server, op, card, 600, MCC.DINING); // over: 12.00 of 10.00
    await spend(server, op, card, 600, MCC.DINING); // still over: no second alert
    await spend(server, op, card, 501, MCC.TRANSPORT);
    const events = await alerts.waitFor(2);
    alerts.stop();
    const month = events[0]!.budgetAlerts.month;
    expect(events.map((e) => e.budgetAlerts)).toEqual([
      {
        month,
        jar: { id: dining.id, name: 'Dining' },
        allocated: { minor: '1000', currency: 'USD', decimal: '10.00' },
        spent: { minor: '1200', currency: 'USD', decimal: '12.00' },
      },
      {
        month,
        jar: { id: travel.id, name: 'Transport' },
        allocated: { minor: '500', currency: 'USD', decimal: '5.00' },
        spent: { minor: '501', currency: 'USD', decimal: '5.01' },
      },
    ]);
    expect(alerts.errors).toEqual([]);
  });
});
