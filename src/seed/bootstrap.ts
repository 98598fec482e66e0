import { ConfigError } from '../config/config.js';
import type { Orm } from '../db/orm.js';
import { RoleConflictError, type PasswordCheck } from '../modules/auth/operator.js';
import { Role } from '../modules/auth/user.entity.js';
import type { CoreDeps } from '../deps.js';
import { createServices } from '../services.js';
import { seedDemoData } from './demo.js';

/** Start-up data: the configured operator (its password check perhaps begun already: beginPasswordCheck), and the demo data where it is wanted. */
export async function bootstrapUsers(deps: CoreDeps, orm: Orm, operatorChecked?: PasswordCheck): Promise<void> {
  const { config, logger } = deps;
  try {
    if (config.operator) {
      const { username, password } = config.operator;
      await createServices(deps, orm.em.fork()).provisioning.ensureUser(username, password, Role.OPERATOR, false, operatorChecked);
      logger.info({ username: config.operator.username }, 'operator account ensured');
    }
    if (config.seedDemo) await seedDemoData(deps, orm);
  } catch (error) {
    if (error instanceof RoleConflictError) throw refusal(error, config.operator?.username.toLowerCase() === error.username.toLowerCase());
    throw error;
  }
}

/** Start-up never promotes a user someone else may have registered: it says what to do instead. */
function refusal(conflict: RoleConflictError, isOperator: boolean): ConfigError {
  const { username, role, wanted } = conflict;
  const variable = isOperator ? 'OPERATOR_USERNAME' : 'SEED_DEMO';
  return new ConfigError([
    `${variable}: the existing user "${username}" is a ${role}, and start-up never makes an existing user ${wanted} ` +
      `(anyone could have registered that name). Nothing was changed. Either choose ${isOperator ? 'an OPERATOR_USERNAME no one has' : 'SEED_DEMO=false'}, ` +
      `or, if "${username}" really is yours, promote it deliberately with \`npm run promote-user -- ${username}\` ` +
      `(it signs that user out everywhere) and start again.`,
  ]);
}
