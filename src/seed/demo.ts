import type { Orm } from '../db/orm.js';
import type { AccountView } from '../modules/accounts/account.types.js';
import type { AuthInfo } from '../modules/auth/auth.types.js';
import { Role, type User } from '../modules/auth/user.entity.js';
import { FeeCadence } from '../modules/budget/fee.entity.js';
import { CardKind } from '../modules/cards/card.entity.js';
import { SpendingCategory as C } from '../modules/cards/mcc.rules.js';
import { GoalHorizon, Priority } from '../modules/plans/goal.entity.js';
import { TransferBatcher } from '../modules/transfers/transfer.batch.js';
import type { CoreDeps } from '../deps.js';
import { createServices } from '../services.js';
import { seedDemoFeed } from './demo-feed.js';
import { DEMO_FLATMATES, seedDemoGroup } from './demo-groups.js';

export const DEMO_CUSTOMER = { username: 'demo', password: 'demo-password-1' } as const;
export const DEMO_OPERATOR = { username: 'operator', password: 'operator-password-1' } as const;
/** Receives the demo customer's rent: a transfer to someone else's account, by its number. */
export const DEMO_LANDLORD = { username: 'landlord', password: 'landlord-password-1' } as const;
const HISTORY_MONTHS = 3;
const CARD_MONTHS = 2;
const RENT_MINOR = 120000n;

/** One month of the demo card's payments: [day, merchant, MCC, amount in cents]. Subscriptions keep their price. */
const CARD_MONTH: ReadonlyArray<readonly [number, string, string, number]> = [
  [4, 'Safeway', '5411', 8734],
  [5, 'Netflix', '4899', 1549],
  [6, 'Blue Bottle Coffee', '5814', 650],
  [7, 'Clipper BART', '4111', 4000],
  [9, 'Chipotle', '5814', 1385],
  [11, "Trader Joe's", '5411', 6212],
  [12, 'Spotify', '5815', 1099],
  [13, 'Uber', '4121', 2360],
  [14, 'Nopa', '5812', 7840],
  [16, 'Shell', '5542', 5210],
  [18, 'Whole Foods Market', '5411', 11245],
  [19, 'Blue Bottle Coffee', '5814', 1300],
  [20, 'iCloud+', '5818', 299],
  [21, 'The Rusty Anchor', '5813', 4200],
  [23, 'Uber', '4121', 1875],
  [25, "Trader Joe's", '5411', 7490],
  [27, 'Sushi Ran', '5812', 9620],
];
const FIXED_PRICE_MCCS = new Set(['4899', '5815', '5818']);

/** Idempotent: running it again leaves one demo customer and one demo operator. */
export async function seedDemoData(deps: CoreDeps, orm: Orm): Promise<void> {
  const services = createServices(deps, orm.em.fork());
  const customer = await services.provisioning.ensureUser(DEMO_CUSTOMER.username, DEMO_CUSTOMER.password, Role.CUSTOMER);
  const operator = await services.provisioning.ensureUser(DEMO_OPERATOR.username, DEMO_OPERATOR.password, Role.OPERATOR);
  const landlord = await services.provisioning.ensureUser(DEMO_LANDLORD.username, DEMO_LANDLORD.password, Role.CUSTOMER);
  await seedDemoAccounts(deps, orm, customer, operator, landlord);
  await seedDemoBudget(deps, orm, customer);
  await seedDemoPlans(deps, orm, customer);
  await seedDemoGroup(deps, orm, customer);
  await seedDemoFeed(deps, orm, customer, operator);
  deps.logger.info(
    { users: [DEMO_CUSTOMER.username, DEMO_OPERATOR.username, DEMO_LANDLORD.username, ...DEMO_FLATMATES.map((f) => f.username)] },
    'demo data ready',
  );
}

/**
 * A checking and a savings account (USD) with a few months of salary deposits, rent paid
 * to a landlord, savings transfers and, for the last two months, a card on Checking with
 * everyday payments (groceries, dining, transport, subscriptions) recorded as the card
 * network would. All of it posted in date order at past times through the ordinary services
 * (a fixed clock per step). Accounts that already have history are left alone.
 */
async function seedDemoAccounts(deps: CoreDeps, orm: Orm, customer: User, operator: User, landlord: User): Promise<void> {
  const me: AuthInfo = { userId: customer.id, sessionId: 'demo-seed', role: Role.CUSTOMER };
  const op: AuthInfo = { userId: operator.id, sessionId: 'demo-seed', role: Role.OPERATOR };
  const owner: AuthInfo = { userId: landlord.id, sessionId: 'demo-seed', role: Role.CUSTOMER };
  const services = createServices(deps, orm.em.fork());
  const existing = await services.accounts.list(me);
  const named = async (auth: AuthInfo, accounts: AccountView[], name: string): Promise<AccountView> =>
    accounts.find((a) => a.name === name) ?? (await services.accounts.open(auth, { name, currency: 'USD' }));
  const checking = await named(me, existing, 'Checking');
  const savings = await named(me, existing, 'Savings');
  if (checking.entrySeq > 0 || savings.entrySeq > 0) return;
  const rentAccount = await named(owner, await services.accounts.list(owner), 'Rent');

  const now = deps.clock.now();
  const at = (monthsAgo: number, day: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, day, 12));
  // The batcher stamps the transfers it posts: it takes the step's clock too, or every rent would be posted today.
  const servicesAt = (when: Date) => {
    const clock = { now: () => when };
    const transferBatcher = new TransferBatcher({ ...deps, pool: deps.moneyPool, clock }, { lanes: 1 });
    return createServices({ ...deps, clock, transferBatcher }, orm.em.fork());
  };
  const on = (when: Date) => servicesAt(when).transfers;

  await on(at(HISTORY_MONTHS, 1)).deposit(op, {
    accountId: savings.id,
    amountMinor: 100000n,
    currency: 'USD',
    description: 'Opening deposit',
    idempotencyKey: `demo-seed-open-${savings.id}`,
  });
  for (let monthsAgo = HISTORY_MONTHS; monthsAgo >= 1; monthsAgo--) {
    const month = `${monthsAgo}`;
    await on(at(monthsAgo, 1)).deposit(op, {
      accountId: checking.id,
      amountMinor: 320000n,
      currency: 'USD',
      description: 'Salary',
      idempotencyKey: `demo-seed-salary-${checking.id}-${month}`,
    });
    await on(at(monthsAgo, 2)).create(me, {
      fromAccountId: checking.id,
      toAccountNumber: rentAccount.number,
      amountMinor: RENT_MINOR,
      currency: 'USD',
      description: 'Rent',
      idempotencyKey: `demo-seed-rent-${checking.id}-${month}`,
    });
    await on(at(monthsAgo, 3)).create(me, {
      fromAccountId: checking.id,
      toAccountId: savings.id,
      amountMinor: 50000n + BigInt(monthsAgo) * 2500n,
      currency: 'USD',
      description: 'Monthly savings',
      idempotencyKey: `demo-seed-savings-${month}`,
    });
    if (monthsAgo <= CARD_MONTHS) await seedCardMonth(monthsAgo);
  }

  async function seedCardMonth(monthsAgo: number): Promise<void> {
    const issuedAt = at(CARD_MONTHS, 3);
    const card =
      (await servicesAt(issuedAt).cards.list(me, checking.id))[0] ??
      (await servicesAt(issuedAt).cards.issue(me, { accountId: checking.id, kind: CardKind.PHYSICAL, label: 'Everyday', monthlyLimitMinor: 150000n }));
    for (const [index, [day, merchant, mcc, cents]] of CARD_MONTH.entries()) {
      // A little variation between months, so the two months are not copies of each other.
      const wobble = FIXED_PRICE_MCCS.has(mcc) ? 0 : ((index * 131 + monthsAgo * 71) % 400) - 200;
      await servicesAt(at(monthsAgo, day)).cards.recordPayment(op, {
        cardId: card.id,
        merchant,
        merchantCategoryCode: mcc,
        amountMinor: BigInt(Math.max(199, cents + wobble)),
        currency: 'USD',
        idempotencyKey: `demo-seed-card-${card.id}-${monthsAgo}-${index}`,
      });
    }
  }
}

/** Five jars covering the demo card's categories (Dining deliberately tight) and the home; basis points of the salary. */
const DEMO_JARS: ReadonlyArray<{ name: string; allocationBasisPoints: number; categories: C[] }> = [
  { name: 'Home', allocationBasisPoints: 4000, categories: [C.HOUSING, C.UTILITIES] },
  { name: 'Groceries', allocationBasisPoints: 1200, categories: [C.GROCERIES] },
  { name: 'Dining', allocationBasisPoints: 700, categories: [C.DINING] },
  { name: 'Transport', allocationBasisPoints: 500, categories: [C.TRANSPORT] },
  { name: 'Subscriptions', allocationBasisPoints: 100, categories: [C.SUBSCRIPTIONS] },
];

/**
 * The demo customer's budget: the salary as income, five jars and three fees due next
 * month (rent, Netflix, car insurance). Left alone once an income is set.
 */
async function seedDemoBudget(deps: CoreDeps, orm: Orm, customer: User): Promise<void> {
  const me: AuthInfo = { userId: customer.id, sessionId: 'demo-seed', role: Role.CUSTOMER };
  const { budget, fees: feeService } = createServices(deps, orm.em.fork());
  if ((await budget.budget(me)).monthlyIncome !== null) return;
  await budget.setMonthlyIncome(me, { amountMinor: 320000n, currency: 'USD' });
  const jars = new Map<string, string>();
  for (const jar of DEMO_JARS) jars.set(jar.name, (await budget.createJar(me, { ...jar })).id);
  const next = (await budget.currentMonth(me)).split('-').map(Number);
  const due = (day: number) => new Date(Date.UTC(next[0]!, next[1]!, day)).toISOString().slice(0, 10);
  const fees = [
    { name: 'Rent', amountMinor: RENT_MINOR, cadence: FeeCadence.MONTHLY, nextDueOn: due(2), jarId: jars.get('Home') },
    { name: 'Netflix', amountMinor: 1549n, cadence: FeeCadence.MONTHLY, nextDueOn: due(5), jarId: jars.get('Subscriptions') },
    { name: 'Car insurance', amountMinor: 54000n, cadence: FeeCadence.YEARLY, nextDueOn: due(15), jarId: jars.get('Transport') },
  ];
  for (const fee of fees) await feeService.createFee(me, { ...fee, currency: 'USD' });
}

/**
 * Three goals (an emergency fund saved on Savings, a race, a reading goal), this week's plan
 * and today's items, in the user's time zone. Left alone once the customer has any goal.
 */
async function seedDemoPlans(deps: CoreDeps, orm: Orm, customer: User): Promise<void> {
  const me: AuthInfo = { userId: customer.id, sessionId: 'demo-seed', role: Role.CUSTOMER };
  const services = createServices(deps, orm.em.fork());
  if ((await services.goals.list(me, { first: 1 })).totalCount > 0) return;
  const savings = (await services.accounts.list(me)).find((a) => a.name === 'Savings');
  const fund = await services.goals.create(me, {
    title: 'Emergency fund',
    description: 'Three months of rent and groceries',
    horizon: GoalHorizon.YEAR,
    priority: Priority.HIGH,
    targetMinor: 500000n,
    currency: 'USD',
    accountId: savings?.id ?? null,
  });
  const race = await services.goals.create(me, { title: 'Run a half marathon', horizon: GoalHorizon.QUARTER, priority: Priority.MEDIUM });
  const books = await services.goals.create(me, { title: 'Read 12 books this year', horizon: GoalHorizon.YEAR, priority: Priority.LOW });
  const { today, weekStart } = await services.plans.calendar(me);
  await services.plans.saveWeek(me, { weekStart, summary: 'Steady week: train, save, read.', focusAreas: ['Training', 'Saving', 'Reading'] });
  const items = [
    { title: 'Morning run', time: '07:00', goalId: race.id, priority: Priority.HIGH },
    { title: 'Review this month’s spending', time: '12:30', goalId: fund.id, priority: Priority.MEDIUM },
    { title: 'Read 30 pages', time: '21:00', goalId: books.id, priority: Priority.LOW },
  ];
  for (const item of items) await services.plans.addItem(me, { date: today, ...item });
}
