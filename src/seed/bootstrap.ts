import type { Orm } from '../db/orm.js';
import { Role } from '../modules/auth/user.entity.js';
import { createServices, type AppDeps } from '../services.js';
import { seedDemoData } from './demo.js';

/** Start-up data: the configured operator, and the demo data where it is wanted. */
export async function bootstrapUsers(deps: AppDeps, orm: Orm): Promise<void> {
  const { config, logger } = deps;
  if (config.operator) {
    await createServices(deps, orm.em.fork()).auth.ensureUser(config.operator.username, config.operator.password, Role.OPERATOR);
    logger.info({ username: config.operator.username }, 'operator account ensured');
  }
  if (config.seedDemo) await seedDemoData(deps, orm);
}
