import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from './config/config.js';
import type { PgPool } from './db/pg.js';
import { AccountService } from './modules/accounts/account.service.js';
import type { AgentRunner } from './modules/agent/agent.runner.js';
import { AgentService } from './modules/agent/agent.service.js';
import { AuthService } from './modules/auth/auth.service.js';
import { ChatService } from './modules/chat/chat.service.js';
import { DraftsService } from './modules/drafts/drafts.service.js';
import { JournalService } from './modules/drafts/journal.service.js';
import { PreferencesService } from './modules/drafts/preferences.service.js';
import { TemplatesService } from './modules/drafts/templates.service.js';
import { PortabilityService } from './modules/portability/portability.service.js';
import type { PasswordHasher } from './modules/auth/passwords.js';
import type { SessionCache } from './modules/auth/session-cache.js';
import { LedgerService } from './modules/ledger/ledger.service.js';
import { TransferService } from './modules/transfers/transfer.service.js';
import type { PubSub } from './pubsub/pubsub.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import type { Metrics } from './shared/metrics.js';
import type { RateLimiter } from './shared/rate-limiter.js';
import type { RequestLimits } from './shared/request-limits.js';

/** Long-lived parts, built once in app.ts. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  pubsub: PubSub;
  passwords: PasswordHasher;
  limiter: RateLimiter;
  /** Rate limits on operations, subscribe messages and agent runs. */
  limits: RequestLimits;
  metrics: Metrics;
  /** Session rows checked recently by this process; revocation evicts them. */
  sessionCache: SessionCache;
  /** The money transaction's own connections (db/pg.ts). */
  moneyPool: PgPool;
  /** The agent runner of this process; built after the deps it needs. */
  agent: () => AgentRunner;
}

/**
 * The services of one operation, sharing that operation's EntityManager fork (and so
 * its DataLoaders, which batch per operation and never serve another request's rows).
 */
export function createServices(deps: AppDeps, em: EntityManager) {
  const templates = new TemplatesService(em, deps);
  const preferences = new PreferencesService(em, deps);
  const drafts = new DraftsService(em, deps, templates);
  const accounts = new AccountService(em, deps);
  const chat = new ChatService(em, deps, drafts);
  const agent = new AgentService(em, deps, chat);
  return {
    auth: new AuthService(em, deps, agent),
    accounts,
    transfers: new TransferService(em, deps, accounts),
    ledger: new LedgerService(em, deps, accounts),
    chat,
    agent,
    drafts,
    journal: new JournalService(em),
    templates,
    preferences,
    portability: new PortabilityService(em, deps, templates, preferences),
  };
}

export type Services = ReturnType<typeof createServices>;
