import type { Orm } from '../db/orm.js';
import type { CoreDeps } from '../deps.js';
import type { AuthInfo } from '../modules/auth/auth.types.js';
import { Role, type User } from '../modules/auth/user.entity.js';
import { SpendingCategory as C } from '../modules/cards/mcc.rules.js';
import { SplitMode } from '../modules/groups/group-expense.entity.js';
import { createServices } from '../services.js';

/** The demo customer's flatmates in "Flat 3B". */
export const DEMO_FLATMATES = [
  { username: 'ana', password: 'ana-password-1' },
  { username: 'ben', password: 'ben-password-1' },
] as const;
export const DEMO_GROUP_NAME = 'Flat 3B';

/** Last month's shared costs: [day, description, category, amount in cents, who paid (0 demo, 1 ana, 2 ben)]. */
const FLAT_MONTH: ReadonlyArray<readonly [number, string, C, number, number]> = [
  [3, 'Safeway: weekly groceries', C.GROCERIES, 8734, 0],
  [8, 'Electricity', C.UTILITIES, 9600, 1],
  [10, "Trader Joe's", C.GROCERIES, 6212, 0],
  [12, 'Internet', C.UTILITIES, 6000, 1],
  [17, 'Whole Foods Market', C.GROCERIES, 11245, 0],
  [20, 'Water', C.UTILITIES, 3300, 2],
  [24, "Trader Joe's", C.GROCERIES, 7490, 0],
];

/**
 * "Flat 3B": demo, ana and ben share a month of groceries and utilities split equally; ben has
 * paid his share back in cash (recorded by demo), ana still owes demo. Left alone once it exists.
 */
export async function seedDemoGroup(deps: CoreDeps, orm: Orm, customer: User): Promise<void> {
  const services = createServices(deps, orm.em.fork());
  const auth = (userId: string): AuthInfo => ({ userId, sessionId: 'demo-seed', role: Role.CUSTOMER });
  const me = auth(customer.id);
  if ((await services.groups.list(me)).some((g) => g.name === DEMO_GROUP_NAME)) return;
  const flatmates: AuthInfo[] = [];
  for (const f of DEMO_FLATMATES) flatmates.push(auth((await services.provisioning.ensureUser(f.username, f.password, Role.CUSTOMER)).id));
  const group = await services.groups.create(me, { name: DEMO_GROUP_NAME, currency: 'USD' });
  for (const [i, mate] of flatmates.entries()) {
    const invitation = await services.groups.invite(me, group.id, DEMO_FLATMATES[i]!.username);
    await services.groups.respond(mate, invitation.id, true);
  }
  const members = [me, ...flatmates];
  const now = deps.clock.now();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const day = (d: number) => new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), d)).toISOString().slice(0, 10);
  for (const [d, description, category, cents, payer] of FLAT_MONTH) {
    await createServices(deps, orm.em.fork()).groupExpenses.add(members[payer]!, {
      groupId: group.id,
      description,
      amountMinor: BigInt(cents),
      category,
      occurredOn: day(d),
      splitMode: SplitMode.EQUAL,
    });
  }
  // Ben settled in cash; ana's debt stays open.
  const plan = await createServices(deps, orm.em.fork()).groups.suggestions(me, group);
  const bens = plan.find((s) => s.from.id === flatmates[1]!.userId);
  if (bens) await createServices(deps, orm.em.fork()).settlements.recordOutside(auth(bens.to.id), group.id, bens.from.id, bens.amount.minor);
}
