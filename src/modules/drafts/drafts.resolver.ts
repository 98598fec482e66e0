import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireAuth, type GraphQLContext } from '../../graphql/context.js';
import { ConnectionType, type Page } from '../../shared/pagination.js';
import { Draft } from './draft.entity.js';
import { SaveTemplateInput, UpdateDraftInput, UpdatePreferencesInput } from './drafts.inputs.js';
import { JournalEntry } from './journal-entry.entity.js';
import { UserPreferencesView } from './drafts.types.js';
import { UserTemplate } from './user-template.entity.js';

export const JournalEntryConnection = ConnectionType('JournalEntry', JournalEntry);

@Resolver()
export class DraftsResolver {
  @Authorized()
  @Mutation(() => Draft)
  updateDraft(@Arg('input', () => UpdateDraftInput) input: UpdateDraftInput, @Ctx() ctx: GraphQLContext): Promise<Draft> {
    return ctx.services.drafts.update(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => JournalEntry, { description: "Saves the session's draft as a journal entry and starts an empty draft. DRAFT_EMPTY when nothing is in it." })
  finalizeDraft(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: GraphQLContext): Promise<JournalEntry> {
    return ctx.services.drafts.finalize(requireAuth(ctx), sessionId);
  }

  @Authorized()
  @Mutation(() => Draft)
  discardDraft(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: GraphQLContext): Promise<Draft> {
    return ctx.services.drafts.discard(requireAuth(ctx), sessionId);
  }

  @Authorized()
  @Query(() => JournalEntryConnection)
  journalEntries(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('search', () => String, { nullable: true }) search?: string | null,
  ): Promise<Page<JournalEntry>> {
    return ctx.services.journal.list(requireAuth(ctx), { first, after, search });
  }

  @Authorized()
  @Query(() => JournalEntry)
  journalEntry(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<JournalEntry> {
    return ctx.services.journal.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean)
  deleteJournalEntry(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.journal.delete(requireAuth(ctx), id);
  }

  @Authorized()
  @Query(() => UserPreferencesView)
  preferences(@Ctx() ctx: GraphQLContext): Promise<UserPreferencesView> {
    return ctx.services.preferences.get(requireAuth(ctx).userId);
  }

  @Authorized()
  @Mutation(() => UserPreferencesView)
  updatePreferences(@Arg('input', () => UpdatePreferencesInput) input: UpdatePreferencesInput, @Ctx() ctx: GraphQLContext): Promise<UserPreferencesView> {
    return ctx.services.preferences.update(requireAuth(ctx), input);
  }

  @Authorized()
  @Query(() => [UserTemplate])
  templates(@Ctx() ctx: GraphQLContext): Promise<UserTemplate[]> {
    return ctx.services.templates.list(requireAuth(ctx));
  }

  @Authorized()
  @Mutation(() => UserTemplate)
  saveTemplate(@Arg('input', () => SaveTemplateInput) input: SaveTemplateInput, @Ctx() ctx: GraphQLContext): Promise<UserTemplate> {
    return ctx.services.templates.save(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => UserTemplate)
  activateTemplate(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<UserTemplate> {
    return ctx.services.templates.activate(requireAuth(ctx), id);
  }
}
