import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.js';
import type { AuthInfo, ClientInfo } from '../modules/auth/auth.types.js';
import { bearerToken } from '../modules/auth/tokens.js';
import { createServices, type AppDeps, type Services } from '../services.js';
import { DomainError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

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

export interface ContextInput {
  requestId: string;
  authorization: unknown;
  client: ClientInfo;
}

/** One EntityManager fork and one set of services per operation. */
export async function createContext(deps: AppDeps, orm: Orm, input: ContextInput): Promise<GraphQLContext> {
  const em = orm.em.fork();
  const services = createServices(deps, em);
  const ctx: GraphQLContext = {
    requestId: input.requestId,
    logger: deps.logger.child({ reqId: input.requestId }),
    em,
    services,
    auth: null,
    authError: null,
    client: input.client,
    clock: deps.clock,
  };
  if (input.authorization !== undefined && input.authorization !== null && input.authorization !== '') {
    const token = bearerToken(input.authorization);
    if (!token) {
      ctx.authError = new DomainError('UNAUTHENTICATED', 'Authorization must be "Bearer <access token>"');
    } else {
      try {
        ctx.auth = await services.auth.authenticate(token);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        ctx.authError = error;
      }
    }
  }
  return ctx;
}

export function requireAuth(ctx: GraphQLContext): AuthInfo {
  if (ctx.auth) return ctx.auth;
  throw ctx.authError ?? new DomainError('UNAUTHENTICATED', 'Sign in first: send "Authorization: Bearer <access token>"');
}
