import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from './config/config.js';
import { AuthService } from './modules/auth/auth.service.js';
import type { PasswordHasher } from './modules/auth/passwords.js';
import type { PubSub } from './pubsub/pubsub.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import type { RateLimiter } from './shared/rate-limiter.js';

/** Long-lived parts, built once in app.ts. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  pubsub: PubSub;
  passwords: PasswordHasher;
  limiter: RateLimiter;
}

/** The services of one operation, sharing that operation's EntityManager fork. */
export function createServices(deps: AppDeps, em: EntityManager) {
  return {
    auth: new AuthService(em, deps),
  };
}

export type Services = ReturnType<typeof createServices>;
