// npm run promote-user -- <username>: makes an existing user OPERATOR, deliberately, and
// signs it out everywhere (sessions, refresh tokens, subscriptions, agent runs). Start-up
// never promotes anyone; this is the one way an existing user becomes the operator.
import 'reflect-metadata';
import { loadConfig } from '../src/config/config.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { openPgPool } from '../src/db/pg.js';
import { PasswordHasher } from '../src/modules/auth/passwords.js';
import { SessionCache } from '../src/modules/auth/session-cache.js';
import { Role } from '../src/modules/auth/user.entity.js';
import { MemoryPubSub } from '../src/pubsub/memory.pubsub.js';
import type { PubSub } from '../src/pubsub/pubsub.js';
import { createServices } from '../src/services.js';
import { systemClock } from '../src/shared/clock.js';
import { DomainError } from '../src/shared/errors.js';
import { createLogger } from '../src/shared/logger.js';
import { noMetrics } from '../src/shared/metrics.js';
import { MemoryRateLimiter } from '../src/shared/rate-limiter.js';
import { RateLimits } from '../src/shared/rate-limits.js';

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
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
const orm = await openOrm(config.databaseUrl ?? embedded!.url);
const moneyPool = openPgPool(config.databaseUrl ?? embedded!.url, { max: 1, applicationName: 'coach-gateway promote-user' });
let exitCode = 0;
try {
  await migrate(orm);
  const limiter = new MemoryRateLimiter();
  const deps = {
    config,
    logger,
    clock: systemClock,
    pubsub,
    passwords: new PasswordHasher(config.bcryptCost),
    rateLimiter: limiter,
    rateLimits: new RateLimits(limiter, config.rateLimits, noMetrics),
    metrics: noMetrics,
    sessionCache: new SessionCache(0),
    moneyPool,
  };
  const { user, sessionsRevoked, runsCancelled } = await createServices(deps, orm.em.fork()).auth.changeRole(username, Role.OPERATOR);
  console.log(`"${user.username}" is now ${user.role}: ${sessionsRevoked} session(s) revoked, ${runsCancelled} agent run(s) cancelled; it must sign in again.`);
} catch (error) {
  if (!(error instanceof DomainError)) throw error;
  console.error(`promote-user: ${error.message}`);
  exitCode = 1;
} finally {
  await pubsub.close();
  await moneyPool.end();
  await orm.close(true);
  await embedded?.stop();
}
process.exit(exitCode);
