import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { lazyFork } from '../db/lazy-fork.js';
import type { Orm } from '../db/orm.js';
import type { AuthInfo, ClientInfo } from '../modules/auth/auth.types.js';
import { bearerToken } from '../modules/auth/tokens.js';
import type { AppDeps } from '../deps.js';
import { createOperationServices, type Services } from '../services.js';
import { DomainError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { GraphQLContext } from '../shared/request-context.js';
import type { Logger } from '../shared/logger.js';

export interface ContextInput {
  requestId: string;
  authorization: unknown;
  client: ClientInfo;
}

/**
 * One operation's context. The EntityManager fork, the services sharing it (and their
 * DataLoaders) and the child logger are built when a resolver first asks, so an operation
 * that never reads the database (most subscription events) never pays for them.
 */
export class OperationContext implements GraphQLContext {
  auth: AuthInfo | null = null;
  authError: DomainError | null = null;
  readonly clock: Clock;
  private forked: EntityManager | undefined;
  private built: Services | undefined;
  private child: Logger | undefined;
  private id: string | undefined;

  constructor(
    private readonly deps: AppDeps,
    private readonly orm: Orm,
    /** Undefined: made on first use (a subscription that never logs holds none), or taken from `origin`. */
    requestId: string | undefined,
    readonly client: ClientInfo,
    private readonly origin?: OperationContext,
  ) {
    this.clock = deps.clock;
    this.id = requestId;
  }

  get requestId(): string {
    return (this.id ??= this.origin?.requestId ?? randomUUID());
  }

  get em(): EntityManager {
    return (this.forked ??= this.orm.em.fork());
  }

  get services(): Services {
    // The services' EntityManager is this.em, forked when one of them first reaches it.
    return (this.built ??= createOperationServices(
      this.deps,
      lazyFork(() => this.em),
      this.client,
    ));
  }

  get logger(): Logger {
    return (this.child ??= this.deps.logger.child({ reqId: this.requestId }));
  }

  /** The same caller and request with nothing built yet: one per subscription event. */
  fresh(): OperationContext {
    const ctx = new OperationContext(this.deps, this.orm, this.id, this.client, this.id === undefined ? this : undefined);
    ctx.auth = this.auth;
    ctx.authError = this.authError;
    return ctx;
  }
}

export async function createContext(deps: AppDeps, orm: Orm, input: ContextInput): Promise<GraphQLContext> {
  const ctx = new OperationContext(deps, orm, input.requestId, input.client);
  if (input.authorization !== undefined && input.authorization !== null && input.authorization !== '') {
    const token = bearerToken(input.authorization);
    if (!token) {
      ctx.authError = new DomainError('UNAUTHENTICATED', 'Authorization must be "Bearer <access token>"');
    } else {
      try {
        ctx.auth = await ctx.services.auth.authenticate(token);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        ctx.authError = error;
      }
    }
  }
  return ctx;
}
