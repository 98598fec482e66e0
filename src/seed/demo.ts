import type { Orm } from '../db/orm.js';
import type { Account } from '../modules/accounts/account.entity.js';
import type { AuthInfo } from '../modules/auth/auth.types.js';
import { Role, type User } from '../modules/auth/user.entity.js';
import type { CoreDeps } from '../deps.js';
import { createServices } from '../services.js';

export const DEMO_CUSTOMER = { username: 'demo', password: 'demo-password-1' } as const;
export const DEMO_OPERATOR = { username: 'operator', password: 'operator-password-1' } as const;
const HISTORY_MONTHS = 3;

/** Idempotent: running it again leaves one demo customer and one demo operator. */
export async function seedDemoData(deps: CoreDeps, orm: Orm): Promise<void> {
  const services = createServices(deps, orm.em.fork());
  const customer = await services.auth.ensureUser(DEMO_CUSTOMER.username, DEMO_CUSTOMER.password, Role.CUSTOMER);
  const operator = await services.auth.ensureUser(DEMO_OPERATOR.username, DEMO_OPERATOR.password, Role.OPERATOR);
  await seedDemoAccounts(deps, orm, customer, operator);
  deps.logger.info({ users: [DEMO_CUSTOMER.username, DEMO_OPERATOR.username] }, 'demo data ready');
}

/**
 * A checking and a savings account (USD) with a few months of salary deposits and
 * savings transfers, posted at past times through the ordinary services (a fixed clock
 * per step). Accounts that already have history are left alone.
 */
async function seedDemoAccounts(deps: CoreDeps, orm: Orm, customer: User, operator: User): Promise<void> {
  const me: AuthInfo = { userId: customer.id, sessionId: 'demo-seed', role: Role.CUSTOMER };
  const op: AuthInfo = { userId: operator.id, sessionId: 'demo-seed', role: Role.OPERATOR };
  const services = createServices(deps, orm.em.fork());
  const existing = await services.accounts.list(me);
  const named = async (name: string): Promise<Account> =>
    existing.find((a) => a.name === name) ?? (await services.accounts.open(me, { name, currency: 'USD' }));
  const checking = await named('Checking');
  const savings = await named('Savings');
  if (checking.entrySeq > 0 || savings.entrySeq > 0) return;

  const now = deps.clock.now();
  const at = (monthsAgo: number, day: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, day, 12));
  const on = (when: Date) => createServices({ ...deps, clock: { now: () => when } }, orm.em.fork()).transfers;

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
    await on(at(monthsAgo, 3)).create(me, {
      fromAccountId: checking.id,
      toAccountId: savings.id,
      amountMinor: 50000n + BigInt(monthsAgo) * 2500n,
      currency: 'USD',
      description: 'Monthly savings',
      idempotencyKey: `demo-seed-savings-${month}`,
    });
  }
}
