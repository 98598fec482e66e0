import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { Page } from '../../shared/pagination.js';
import { AuditChainCheck, AuditEventConnection, AuditLogArgs, type AuditEventView } from './audit.types.js';

@Resolver()
export class AuditResolver {
  @Authorized()
  @Query(() => AuditEventConnection, {
    description:
      "The caller's own audit events, newest first; an OPERATOR may pass userId. NOT_FOUND for another user's id (customers); BAD_USER_INPUT for a bad page size or cursor.",
  })
  auditLog(@Args(() => AuditLogArgs) args: AuditLogArgs, @Ctx() ctx: GraphQLContext): Promise<Page<AuditEventView>> {
    return ctx.services.audit.log(requireAuth(ctx), args);
  }

  @Authorized('OPERATOR')
  @Query(() => AuditChainCheck, { description: "OPERATOR only: recomputes every audit row's hash and link; names the first row that does not follow." })
  verifyAuditChain(@Ctx() ctx: GraphQLContext): Promise<AuditChainCheck> {
    return ctx.services.audit.verify();
  }
}
