import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireAuth, type GraphQLContext } from '../../shared/request-context.js';
import { ConnectionType, type Page } from '../../shared/pagination.js';
import { ChatSession } from '../chat/chat-session.entity.js';
import { Draft } from './draft.entity.js';
import { SaveTemplateInput, UpdateDraftInput } from './drafts.inputs.js';
import { JournalEntry } from './journal-entry.entity.js';
import { UserTemplate } from './user-template.entity.js';

export const JournalEntryConnection = ConnectionType('JournalEntry', JournalEntry);

@Resolver()
export class DraftsResolver {
  @Authorized()
  @Mutation(() => Draft, {
    description:
      "Writes into the session's draft by hand (the assistant does the same through DraftUpdated). NOT_FOUND for a session not the caller's; BAD_USER_INPUT for a session that is not JOURNALING, a section the active template lacks or text out of bounds.",
  })
  updateDraft(
    @Arg('input', () => UpdateDraftInput, { description: 'Session, sections and mode.' }) input: UpdateDraftInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Draft> {
    return ctx.services.drafts.update(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => JournalEntry, { description: "Saves the session's draft as a journal entry and starts an empty draft. DRAFT_EMPTY when nothing is in it." })
  finalizeDraft(
    @Arg('sessionId', () => ID, { description: "The JOURNALING session's id; NOT_FOUND when it is not the caller's." }) sessionId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<JournalEntry> {
    return ctx.services.drafts.finalize(requireAuth(ctx), sessionId);
  }

  @Authorized()
  @Mutation(() => Draft, { description: "Empties the session's draft and returns it." })
  discardDraft(
    @Arg('sessionId', () => ID, { description: "The JOURNALING session's id; NOT_FOUND when it is not the caller's." }) sessionId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Draft> {
    return ctx.services.drafts.discard(requireAuth(ctx), sessionId);
  }

  @Authorized()
  @Query(() => JournalEntryConnection, { description: "The caller's journal entries, newest first." })
  journalEntries(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { description: 'Page size, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { description: "Opaque cursor from a previous page's pageInfo.endCursor.", nullable: true }) after?: string | null,
    @Arg('search', () => String, {
      description: 'Full-text search over titles and sections (web-search syntax: words, "quoted phrases", -excluded); null for all.',
      nullable: true,
    })
    search?: string | null,
  ): Promise<Page<JournalEntry>> {
    return ctx.services.journal.list(requireAuth(ctx), { first, after, search });
  }

  @Authorized()
  @Query(() => JournalEntry, { description: "One of the caller's journal entries." })
  journalEntry(
    @Arg('id', () => ID, { description: "The journal entry's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<JournalEntry> {
    return ctx.services.journal.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Deletes the journal entry for good; true when deleted.' })
  deleteJournalEntry(
    @Arg('id', () => ID, { description: "The journal entry's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.services.journal.delete(requireAuth(ctx), id);
  }

  @Authorized()
  @Query(() => [UserTemplate], { description: "The caller's journaling templates; exactly one is active." })
  templates(@Ctx() ctx: GraphQLContext): Promise<UserTemplate[]> {
    return ctx.services.templates.list(requireAuth(ctx));
  }

  @Authorized()
  @Mutation(() => UserTemplate, {
    description:
      "Creates a journaling template, or updates the caller's template with the given id. NOT_FOUND for an id not the caller's; BAD_USER_INPUT for a name or sections out of bounds.",
  })
  saveTemplate(
    @Arg('input', () => SaveTemplateInput, { description: 'The template: name and sections.' }) input: SaveTemplateInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserTemplate> {
    return ctx.services.templates.save(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => UserTemplate, { description: 'Makes this template the one new drafts use (the others become inactive).' })
  activateTemplate(
    @Arg('id', () => ID, { description: "The template's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserTemplate> {
    return ctx.services.templates.activate(requireAuth(ctx), id);
  }
}

/** A session's draft, declared here so that chat, below drafts, does not import it. */
@Resolver(() => ChatSession)
export class ChatSessionDraftResolver {
  @FieldResolver(() => Draft, { nullable: true, description: "The session's current draft (JOURNALING sessions; null elsewhere)." })
  draft(@Root() session: ChatSession, @Ctx() ctx: GraphQLContext): Promise<Draft | null> {
    return ctx.services.drafts.draftFor(session);
  }
}
