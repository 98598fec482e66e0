import type { Orm } from '../db/orm.js';
import { Role } from '../modules/auth/user.entity.js';
import { createServices, type AppDeps } from '../services.js';

export const DEMO_CUSTOMER = { username: 'demo', password: 'demo-password-1' } as const;
export const DEMO_OPERATOR = { username: 'operator', password: 'operator-password-1' } as const;

/** Idempotent: running it again leaves one demo customer and one demo operator. */
export async function seedDemoData(deps: AppDeps, orm: Orm): Promise<void> {
  const services = createServices(deps, orm.em.fork());
  await services.auth.ensureUser(DEMO_CUSTOMER.username, DEMO_CUSTOMER.password, Role.CUSTOMER);
  await services.auth.ensureUser(DEMO_OPERATOR.username, DEMO_OPERATOR.password, Role.OPERATOR);
  deps.logger.info({ users: [DEMO_CUSTOMER.username, DEMO_OPERATOR.username] }, 'demo data ready');
}
