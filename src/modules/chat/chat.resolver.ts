import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireAuth, type GraphQLContext } from '../../shared/request-context.js';
import type { Page } from '../../shared/pagination.js';
import { ChatContextView, ChatSession } from './chat-session.entity.js';
import { CreateChatSessionInput } from './chat.inputs.js';
import { ChatSessionConnection, MessageConnection } from './chat.types.js';
import { Message } from './message.entity.js';

@Resolver(() => ChatSession)
export class ChatResolver {
  @Authorized()
  @Query(() => ChatSessionConnection, {
    description: "The caller's chat sessions, with the conversations of the groups the caller is a current member of, most recently active first.",
  })
  chatSessions(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { description: 'Page size, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { description: "Opaque cursor from a previous page's pageInfo.endCursor.", nullable: true }) after?: string | null,
    @Arg('includeArchived', () => Boolean, { description: 'True to list archived sessions too.', nullable: true, defaultValue: false })
    includeArchived?: boolean,
  ): Promise<Page<ChatSession>> {
    return ctx.services.chat.list(requireAuth(ctx), { first, after, includeArchived });
  }

  @Authorized()
  @Query(() => ChatSession, {
    description: "One of the caller's chat sessions, archived or not, or the conversation (GROUP) of a group the caller is a current member of.",
  })
  chatSession(
    @Arg('id', () => ID, { description: "The chat session's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChatSession> {
    return ctx.services.chat.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => ChatSession, {
    description:
      "Starts an empty chat session (a JOURNALING one with an empty draft). NOT_FOUND for a context.goalId not the caller's; BAD_USER_INPUT for a bad title, metadata or context.planDate.",
  })
  createChatSession(
    @Arg('input', () => CreateChatSessionInput, { description: 'Conversation type, optional title and metadata.' }) input: CreateChatSessionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChatSession> {
    return ctx.services.chat.create(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => ChatSession, { description: "Changes the session's title." })
  renameChatSession(
    @Arg('id', () => ID, { description: "The chat session's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Arg('title', () => String, { description: 'At most 200 characters.' }) title: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChatSession> {
    return ctx.services.chat.rename(requireAuth(ctx), id, title);
  }

  @Authorized()
  @Mutation(() => ChatSession, { description: 'Hides the session from chatSessions (unless includeArchived); it stays readable by id and keeps its messages.' })
  archiveChatSession(
    @Arg('id', () => ID, { description: "The chat session's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChatSession> {
    return ctx.services.chat.archive(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Deletes the session with its messages, draft and runs, for good; true when deleted. Journal entries saved from it stay.',
  })
  deleteChatSession(
    @Arg('id', () => ID, { description: "The chat session's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.services.chat.delete(requireAuth(ctx), id);
  }

  @FieldResolver(() => MessageConnection, {
    description:
      'The active branch (activeLeaf back to the first message), oldest first; totalCount counts that branch. first/after pages forward; last/before gives the newest page, then older ones. Neither: the first 20.',
  })
  messages(
    @Root() session: ChatSession,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { description: 'Page size going forward, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true }) first?: number | null,
    @Arg('after', () => String, { description: 'Cursor of the last message seen: the page after it (with first).', nullable: true }) after?: string | null,
    @Arg('last', () => Int, { description: 'Page size from the newest backwards, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true }) last?: number | null,
    @Arg('before', () => String, { description: 'Cursor of the oldest message seen: the page before it (with last).', nullable: true }) before?: string | null,
  ): Promise<Page<Message>> {
    return ctx.services.chat.messages(session, { first, after, last, before });
  }

  @FieldResolver(() => Message, {
    nullable: true,
    description: 'The last message of the branch the user is on; messages and the assistant follow its path. Null before the first message.',
  })
  activeLeaf(@Root() session: ChatSession, @Ctx() ctx: GraphQLContext): Promise<Message | null> {
    return ctx.services.chat.activeLeaf(session);
  }

  @FieldResolver(() => ChatContextView, { nullable: true, description: 'The goal or day given at creation; null when neither was.' })
  context(@Root() session: ChatSession): ChatContextView | null {
    const goalId = session.contextGoal?.id ?? null;
    return goalId === null && session.contextPlanDate === null ? null : { goalId, planDate: session.contextPlanDate };
  }
}
