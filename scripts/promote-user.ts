// npm run promote-user -- <username>: makes an existing user OPERATOR, deliberately, and
// signs it out everywhere (sessions, refresh tokens, subscriptions, agent runs). Start-up
// never promotes anyone; this is the one way an existing user becomes the operator.
import 'reflect-metadata';
import { loadConfig } from '../src/config/config.js';
import { Role } from '../src/modules/auth/user.entity.js';
import { MemoryPubSub } from '../src/pubsub/memory.pubsub.js';
import type { PubSub } from '../src/pubsub/pubsub.js';
import { createServices } from '../src/services.js';
import { DomainError } from '../src/shared/errors.js';
import { createLogger } from '../src/shared/logger.js';
import { openOneOff } from './lib/one-off.js';

const username = process.argv[2];
if (!username || process.argv.length > 3) {
  console.error('usage: npm run promote-user -- <username>');
  process.exit(2);
}

const { config } = loadConfig();
const logger = createLogger(config.logLevel);
// Through Redis, running gateways drop the user's cached sessions, close its sockets and
// cancel its runs at once; alone, they notice the revoked rows within SESSION_CACHE_MS.
let pubsub: PubSub = new MemoryPubSub();
if (config.redisUrl) {
  const { RedisPubSub } = await import('../src/pubsub/redis.pubsub.js');
  const redis = new RedisPubSub(config.redisUrl, logger);
  await redis.ready();
  pubsub = redis;
}
const { deps, orm, close } = await openOneOff('promote-user', config, logger, pubsub);
let exitCode = 0;
try {
  const { user, sessionsRevoked, runsCancelled } = await createServices(deps, orm.em.fork()).provisioning.changeRole(username, Role.OPERATOR);
  console.log(`"${user.username}" is now ${user.role}: ${sessionsRevoked} session(s) revoked, ${runsCancelled} agent run(s) cancelled; it must sign in again.`);
} catch (error) {
  if (!(error instanceof DomainError)) throw error;
  console.error(`promote-user: ${error.message}`);
  exitCode = 1;
} finally {
  await pubsub.close();
  await close();
}
process.exit(exitCode);
