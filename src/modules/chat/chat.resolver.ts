import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireAuth, type GraphQLContext } from '../../graphql/context.js';
import type { Page } from '../../shared/pagination.js';
import { Draft } from '../drafts/draft.entity.js';
import { ChatContextView, ChatSession } from './chat-session.entity.js';
import { CreateChatSessionInput } from './chat.inputs.js';
import { ChatSessionConnection, MessageConnection } from './chat.types.js';
import type { Message } from './message.entity.js';

@Resolver(() => ChatSession)
export class ChatResolver {
  @Authorized()
  @Query(() => ChatSessionConnection)
  chatSessions(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('includeArchived', () => Boolean, { nullable: true, defaultValue: false }) includeArchived?: boolean,
  ): Promise<Page<ChatSession>> {
    return ctx.services.chat.list(requireAuth(ctx), { first, after, includeArchived });
  }

  @Authorized()
  @Query(() => ChatSession)
  chatSession(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ChatSession> {
    return ctx.services.chat.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => ChatSession)
  createChatSession(@Arg('input', () => CreateChatSessionInput) input: CreateChatSessionInput, @Ctx() ctx: GraphQLContext): Promise<ChatSession> {
    return ctx.services.chat.create(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => ChatSession)
  renameChatSession(@Arg('id', () => ID) id: string, @Arg('title', () => String) title: string, @Ctx() ctx: GraphQLContext): Promise<ChatSession> {
    return ctx.services.chat.rename(requireAuth(ctx), id, title);
  }

  @Authorized()
  @Mutation(() => ChatSession)
  archiveChatSession(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ChatSession> {
    return ctx.services.chat.archive(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean)
  deleteChatSession(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.chat.delete(requireAuth(ctx), id);
  }

  @FieldResolver(() => MessageConnection, {
    description: 'In order, oldest first. first/after pages forward; last/before gives the newest page, then older ones. Neither: the first 20.',
  })
  messages(
    @Root() session: ChatSession,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('last', () => Int, { nullable: true }) last?: number | null,
    @Arg('before', () => String, { nullable: true }) before?: string | null,
  ): Promise<Page<Message>> {
    return ctx.services.chat.messages(session, { first, after, last, before });
  }

  @FieldResolver(() => Draft, { nullable: true, description: "The session's current draft (JOURNALING sessions; null elsewhere)." })
  draft(@Root() session: ChatSession, @Ctx() ctx: GraphQLContext): Promise<Draft | null> {
    return ctx.services.drafts.draftFor(session);
  }

  @FieldResolver(() => ChatContextView, { nullable: true, description: 'The goal or day given at creation; null when neither was.' })
  context(@Root() session: ChatSession): ChatContextView | null {
    const goalId = session.contextGoal?.id ?? null;
    return goalId === null && session.contextPlanDate === null ? null : { goalId, planDate: session.contextPlanDate };
  }
}
