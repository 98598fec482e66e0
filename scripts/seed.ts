// Writes the demo data (idempotently) to DATABASE_URL or the embedded database.
import 'reflect-metadata';
import { loadConfig } from '../src/config/config.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { openPgPool } from '../src/db/pg.js';
import { PasswordHasher } from '../src/modules/auth/passwords.js';
import { MemoryPubSub } from '../src/pubsub/memory.pubsub.js';
import { seedDemoData } from '../src/seed/demo.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { SessionCache } from '../src/modules/auth/session-cache.js';
import { noMetrics } from '../src/shared/metrics.js';
import { MemoryRateLimiter } from '../src/shared/rate-limiter.js';
import { RateLimits } from '../src/shared/rate-limits.js';

const { config } = loadConfig();
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
const orm = await openOrm(config.databaseUrl ?? embedded!.url);
const moneyPool = openPgPool(config.databaseUrl ?? embedded!.url, { max: 1, applicationName: 'coach-gateway seed' });
const pubsub = new MemoryPubSub();
try {
  await migrate(orm);
  const logger = createLogger(config.logLevel);
  const limiter = new MemoryRateLimiter();
  await seedDemoData(
    {
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
    },
    orm,
  );
} finally {
  await pubsub.close();
  await moneyPool.end();
  await orm.close(true);
  await embedded?.stop();
}
