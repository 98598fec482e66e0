import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireAuth, type GraphQLContext } from '../../shared/request-context.js';
import { UpdatePreferencesInput } from './preferences.inputs.js';
import { UserPreferencesView } from './preferences.types.js';

/** What the assistant knows about the caller, and the time zone their days and months begin in. */
@Resolver()
export class PreferencesResolver {
  @Authorized()
  @Query(() => UserPreferencesView, { description: 'What the assistant knows about the caller; defaults until updatePreferences is first called.' })
  preferences(@Ctx() ctx: GraphQLContext): Promise<UserPreferencesView> {
    return ctx.services.preferences.get(requireAuth(ctx).userId);
  }

  @Authorized()
  @Mutation(() => UserPreferencesView, {
    description:
      'Changes what the assistant knows about the caller; returns all preferences. BAD_USER_INPUT for a field out of bounds or an unknown time zone.',
  })
  updatePreferences(
    @Arg('input', () => UpdatePreferencesInput, { description: 'Only the fields given change.' }) input: UpdatePreferencesInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserPreferencesView> {
    return ctx.services.preferences.update(requireAuth(ctx), input);
  }
}
