import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../shared/request-context.js';
import { FeatureFlagView } from './flags.types.js';

@Resolver()
export class FlagsResolver {
  @Query(() => [FeatureFlagView], { description: 'Every feature flag evaluated for the caller; anonymous callers get the flags evaluated without a user.' })
  featureFlags(@Ctx() ctx: GraphQLContext): Promise<FeatureFlagView[]> {
    return ctx.services.flags.all(ctx.auth);
  }
}
