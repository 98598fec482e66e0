// What a one-off command (seed, promote-user) needs: the configured database, migrated, and
// the core dependencies the services take, with in-process rate limits and no metrics.
import { startLinking } from '../../src/modules/linking/linking.factory.js';
import 'reflect-metadata';
import type { Config } from '../../src/config/config.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate, openOrm, type Orm } from '../../src/db/orm.js';
import { openPgPool, plainSql } from '../../src/db/pg.js';
import type { CoreDeps } from '../../src/deps.js';
import { PasswordHasher } from '../../src/modules/auth/passwords.js';
import { SessionCache } from '../../src/modules/auth/session-cache.js';
import { goalPostingHook } from '../../src/modules/plans/goal.posting.js';
import { combinePostingHooks } from '../../src/modules/transfers/transfer.events.js';
import { settlementPostingHook } from '../../src/modules/groups/settlement.posting.js';
import { TransferBatcher } from '../../src/modules/transfers/transfer.batch.js';
import type { PubSub } from '../../src/pubsub/pubsub.js';
import { systemClock } from '../../src/shared/clock.js';
import { Flags } from '../../src/flags/flags.js';
import type { Logger } from '../../src/shared/logger.js';
import { noMetrics } from '../../src/shared/metrics.js';
import { MemoryRateLimiter } from '../../src/shared/rate-limiter.js';
import { RateLimits } from '../../src/shared/rate-limits.js';

export interface OneOff {
  deps: CoreDeps;
  orm: Orm;
  /** Closes the pools and the embedded database (not the pub/sub, which the caller gave). */
  close(): Promise<void>;
}

export async function openOneOff(name: string, config: Config, logger: Logger, pubsub: PubSub): Promise<OneOff> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
  const url = config.databaseUrl ?? embedded!.url;
  const moneyPool = openPgPool(url, { max: 1, applicationName: `coach-gateway ${name}` });
  const plainPool = openPgPool(url, { max: 1, applicationName: `coach-gateway ${name} reads` });
  let orm: Orm | undefined;
  const flags = await Flags.open({ ...config.flags, logger });
  const close = async () => {
    await flags.close();
    await moneyPool.end();
    await plainPool.end();
    await orm?.close(true);
    await embedded?.stop();
  };
  try {
    orm = await openOrm(url);
    await migrate(orm);
  } catch (error) {
    await close();
    throw error;
  }
  const linking = await startLinking(config, logger);
  const closeDb = close;
  const closeAll = async () => {
    await linking.close();
    await closeDb();
  };
  const rateLimiter = new MemoryRateLimiter();
  const postingHook = combinePostingHooks([goalPostingHook(pubsub), settlementPostingHook(pubsub)]);
  const deps: CoreDeps = {
    config,
    logger,
    clock: systemClock,
    pubsub,
    passwords: new PasswordHasher(config.bcryptCost),
    rateLimiter,
    rateLimits: new RateLimits(rateLimiter, config.rateLimits, noMetrics),
    metrics: noMetrics,
    flags,
    sessionCache: new SessionCache(0),
    moneyPool,
    plainPool,
    plainSql: plainSql(plainPool),
    transferBatcher: new TransferBatcher({ pool: moneyPool, clock: systemClock, pubsub, logger, postingHook }, { lanes: 1 }),
    postingHook,
    linking: linking.runtime,
  };
  return { deps, orm, close: closeAll };
}
