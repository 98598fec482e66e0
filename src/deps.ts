import type { Config } from './config/config.js';
import type { Flags } from './flags/flags.js';
import type { PgPool, PlainSql } from './db/pg.js';
import type { TransferBatcher } from './modules/transfers/transfer.batch.js';
import type { PostingHook } from './modules/transfers/transfer.events.js';
import type { AgentRuntime } from './modules/agent/agent.runtime.js';
import type { LinkingRuntime } from './modules/linking/linking.runtime.js';
import type { PasswordHasher } from './modules/auth/passwords.js';
import type { SessionCache } from './modules/auth/session-cache.js';
import type { PubSub } from './pubsub/pubsub.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import type { Metrics } from './shared/metrics.js';
import type { RateLimiter } from './shared/rate-limiter.js';
import type { RateLimits } from './shared/rate-limits.js';
import type { Tracing } from './shared/tracing.js';

/** Long-lived parts, built once in app.ts. Each service takes the few of them it uses. */
export interface CoreDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  pubsub: PubSub;
  passwords: PasswordHasher;
  rateLimiter: RateLimiter;
  /** Rate limits on operations, subscribe messages and agent runs. */
  rateLimits: RateLimits;
  metrics: Metrics;
  /** Feature flags: the one evaluation point (flags/flags.ts). */
  flags: Flags;
  /** Session rows checked recently by this process; revocation evicts them. */
  sessionCache: SessionCache;
  /** The money transaction's own connections (db/pg.ts). */
  moneyPool: PgPool;
  /** The plain statements' own connections (db/pg.ts). */
  plainPool: PgPool;
  /** Statements past the ORM on plainPool: the hottest reads, the sockets' sign-in and subscribe reads (db/pg.ts). */
  plainSql: PlainSql;
  /** Group commit of createTransfer on the money pool (transfers/transfer.batch.ts). */
  transferBatcher: TransferBatcher;
  /** The aggregator client and the token cipher of linked accounts (linking/). */
  linking: LinkingRuntime;
  /** Run in every posting's transaction: savings goals reaching their target (plans/goal.posting.ts) and group settlements (groups/settlement.posting.ts), combined in app.ts. */
  postingHook?: PostingHook;
  /** OpenTelemetry traces (shared/tracing.ts); undefined when tracing is off, which is the default. */
  tracing?: Tracing;
}

/** What an operation's services need: the core, and this process's agent runtime. */
export interface AppDeps extends CoreDeps {
  agent: AgentRuntime;
}
