import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuthInfo, ClientInfo } from '../modules/auth/auth.types.js';
import type { Services } from '../services.js';
import type { Clock } from './clock.js';
import { DomainError } from './errors.js';
import type { Logger } from './logger.js';

/** What a resolver is handed; built by src/server/context.ts, the only place contexts are made. */
export interface GraphQLContext {
  requestId: string;
  logger: Logger;
  em: EntityManager;
  services: Services;
  auth: AuthInfo | null;
  /** Why a presented token was refused; raised only where a field needs a caller. */
  authError: DomainError | null;
  client: ClientInfo;
  clock: Clock;
}

export function requireAuth(ctx: GraphQLContext): AuthInfo {
  if (ctx.auth) return ctx.auth;
  throw ctx.authError ?? new DomainError('UNAUTHENTICATED', 'Sign in first: send "Authorization: Bearer <access token>"');
}
