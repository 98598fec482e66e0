import type { Orm } from '../db/orm.js';
import type { CoreDeps } from '../deps.js';
import type { AuthInfo } from '../modules/auth/auth.types.js';
import { Role, type User } from '../modules/auth/user.entity.js';
import { SpendingCategory as C } from '../modules/cards/mcc.rules.js';
import { TransactionSource } from '../modules/transactions/transaction.enums.js';
import { institutionKey } from '../modules/linking/linking.rules.js';
import { createServices } from '../services.js';

/** The sandbox's demo bank: the demo customer's "other bank". */
const DEMO_BANK = 'ins_sandbox_demo';

/**
 * This month so far, on the demo card: transport past its jar (one jar over) and the
 * subscriptions just under theirs (one close), so "am I over budget?" has a real answer on
 * any day. [merchant, MCC, cents, share of the month elapsed at seeding when it was paid].
 */
const MONTH_TO_DATE: ReadonlyArray<readonly [string, string, number, number]> = [
  ['Clipper BART', '4111', 4000, 0.1],
  ['Netflix', '4899', 1549, 0.15],
  ['Uber', '4121', 2360, 0.3],
  ['Spotify', '5815', 1099, 0.4],
  ['Shell', '5542', 5210, 0.55],
  ['iCloud+', '5818', 299, 0.65],
  ['Uber', '4121', 1875, 0.75],
  ['Lyft', '4121', 6140, 0.9],
];

/**
 * Every outflow of the demo customer (issue 25): the rent transfers categorized as housing
 * (and remembered for the landlord's account), two cash entries, one linked account at the
 * sandbox's demo bank, and this month's spending so far. Each part is left alone once done,
 * so seeding again adds nothing; the month-to-date payments carry their month in their
 * idempotency keys, so a later month gets its own.
 */
export async function seedDemoFeed(deps: CoreDeps, orm: Orm, customer: User, operator: User): Promise<void> {
  const me: AuthInfo = { userId: customer.id, sessionId: 'demo-seed', role: Role.CUSTOMER };
  await categorizeRent(deps, orm, me);
  await seedCash(deps, orm, me);
  await linkDemoBank(deps, orm, me);
  await seedMonthToDate(deps, orm, me, { userId: operator.id, sessionId: 'demo-seed', role: Role.OPERATOR });
}

/** The rent transfers are OTHER until categorized: housing, the last one remembered for the landlord's account. */
async function categorizeRent(deps: CoreDeps, orm: Orm, me: AuthInfo): Promise<void> {
  const { transactionFeed, transactionEdits } = createServices(deps, orm.em.fork());
  const rents = (await transactionFeed.page(me, { source: TransactionSource.TRANSFER, search: 'Rent' }, 100, null)).edges
    .map((e) => e.node)
    .filter((t) => t.direction === 'OUT' && t.category === C.OTHER)
    .reverse();
  for (const [i, rent] of rents.entries()) {
    await transactionEdits.categorize(me, rent.id, { category: C.HOUSING, rememberForCounterparty: i === rents.length - 1 });
  }
}

/** Two cash entries: a farmers' market last month and a coffee today. */
async function seedCash(deps: CoreDeps, orm: Orm, me: AuthInfo): Promise<void> {
  const { transactionFeed, manualTransactions, plans } = createServices(deps, orm.em.fork());
  if ((await transactionFeed.page(me, { source: TransactionSource.MANUAL }, 1, null)).totalCount > 0) return;
  const { today } = await plans.calendar(me);
  const lastMonth = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 2, 12)).toISOString().slice(0, 10);
  const entries = [
    { amountMinor: 2350n, description: 'Farmers market (cash)', category: C.GROCERIES, occurredOn: lastMonth },
    { amountMinor: 450n, description: 'Coffee (cash)', category: C.DINING, occurredOn: today },
  ];
  for (const entry of entries) await manualTransactions.record(me, { ...entry, currency: 'USD' });
}

/**
 * One linked account at the sandbox's demo bank, linked as a person would: the consent
 * page's Allow answers with the public token in its redirect. Only with the embedded
 * sandbox (AGGREGATOR_URL unset): a real aggregator's consent is a person's to give.
 */
async function linkDemoBank(deps: CoreDeps, orm: Orm, me: AuthInfo): Promise<void> {
  if (deps.config.aggregator.url) return;
  const { linking } = createServices(deps, orm.em.fork());
  if ((await linking.list(me)).length > 0) return;
  const session = await linking.start(me, { institutionId: institutionKey(DEMO_BANK), redirectUri: 'http://localhost/demo-seed' });
  const allowed = await fetch(`${session.linkUrl}/allow`, { method: 'POST', redirect: 'manual' });
  const publicToken = new URL(allowed.headers.get('location') ?? 'http://localhost/').searchParams.get('public_token');
  if (!publicToken) throw new Error(`the sandbox bank's consent page did not answer with a public token (HTTP ${allowed.status})`);
  await linking.complete(me, { linkSessionId: session.id, publicToken });
}

/** This month's card payments so far, spread over the part of the month already gone. */
async function seedMonthToDate(deps: CoreDeps, orm: Orm, me: AuthInfo, op: AuthInfo): Promise<void> {
  const card = (await createServices(deps, orm.em.fork()).cards.list(me))[0];
  if (!card) return;
  const now = deps.clock.now();
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const month = new Date(monthStart).toISOString().slice(0, 7);
  for (const [index, [merchant, mcc, cents, share]] of MONTH_TO_DATE.entries()) {
    const at = new Date(monthStart + Math.floor((now.getTime() - monthStart) * share));
    await createServices({ ...deps, clock: { now: () => at } }, orm.em.fork()).cards.recordPayment(op, {
      cardId: card.id,
      merchant,
      merchantCategoryCode: mcc,
      amountMinor: BigInt(cents),
      currency: 'USD',
      idempotencyKey: `demo-seed-mtd-${card.id}-${month}-${index}`,
    });
  }
}
