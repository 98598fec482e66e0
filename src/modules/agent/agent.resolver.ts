import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { AgentEventPayload } from '../../pubsub/topics.js';
import { ChatSession } from '../chat/chat-session.entity.js';
import { Message } from '../chat/message.entity.js';
import { viewOfTransferData } from '../transfers/transfer.events.js';
import { AgentEvent, toGraphQLEvent, type TransferProposed } from './agent.events.js';
import { SendMessageInput } from './agent.inputs.js';
import { AgentRunView } from './agent.types.js';

/** Maps a stored event to its GraphQL object; a proposed transfer renders for the viewer. */
function eventFor(payload: AgentEventPayload, ctx: GraphQLContext): AgentEvent {
  if (payload.type === 'TransferProposed') {
    const viewer = ctx.auth?.userId ?? '';
    const proposed: TransferProposed = { ...toGraphQLEvent(payload), transfer: viewOfTransferData(payload.data.transfer, viewer, ctx.clock.now()) };
    return proposed;
  }
  return toGraphQLEvent(payload);
}

@Resolver(() => AgentRunView)
export class AgentResolver {
  @Authorized()
  @Mutation(() => AgentRunView, {
    description: "Stores the user's message and starts an agent run; returns at once. RUN_IN_PROGRESS while the session has an unfinished run.",
  })
  sendMessage(
    @Arg('input', () => SendMessageInput, { description: 'The session and the text.' }) input: SendMessageInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgentRunView> {
    return ctx.services.agent.send(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => AgentRunView, {
    description:
      'Asks an unfinished run to stop; it ends CANCELLED within about a second, keeping the partial answer (RunFinished arrives on agentEvents). A finished run is returned as it is.',
  })
  cancelAgentRun(
    @Arg('id', () => ID, { description: "The run's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgentRunView> {
    return ctx.services.agent.cancel(requireAuth(ctx), id);
  }

  @Authorized()
  @Query(() => AgentRunView, { description: 'A run of the assistant, finished or not.' })
  agentRun(
    @Arg('id', () => ID, { description: "The run's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgentRunView> {
    return ctx.services.agent.get(requireAuth(ctx), id);
  }

  @FieldResolver(() => Message, { description: 'The message that started the run.' })
  async userMessage(@Root() run: AgentRunView, @Ctx() ctx: GraphQLContext): Promise<Message> {
    const message = await ctx.services.agent.message(run.userMessageId);
    if (!message) throw new Error(`user message ${run.userMessageId} of run ${run.id} is missing`);
    return message;
  }

  @FieldResolver(() => Message, {
    description: "The assistant's answer; null until the run has produced one (a run that fails before any text has none).",
    nullable: true,
  })
  assistantMessage(@Root() run: AgentRunView, @Ctx() ctx: GraphQLContext): Promise<Message | null> {
    return ctx.services.agent.message(run.assistantMessageId);
  }

  @Authorized()
  @Subscription(() => AgentEvent, {
    description: "Replays the run's events with seq > afterSeq (all when omitted), then streams live ones; completes after RunFinished.",
    subscribe: ({ args, context }) =>
      (context as GraphQLContext).services.agent.watchRun(requireAuth(context as GraphQLContext), String(args.runId), args.afterSeq as number | null),
  })
  agentEvents(
    @Arg('runId', () => ID, { description: "The run's id; NOT_FOUND when it does not exist or is not the caller's." }) _runId: string,
    @Arg('afterSeq', () => Int, {
      description: 'Resume point: only events with a greater seq (replayed, then live). Null for all from the start.',
      nullable: true,
    })
    _afterSeq: number | null,
    @Root() payload: AgentEventPayload,
    @Ctx() ctx: GraphQLContext,
  ): AgentEvent {
    return eventFor(payload, ctx);
  }

  @Authorized()
  @Subscription(() => AgentEvent, {
    description: 'Every agent event of every run in the session (for other tabs and devices), plus MessageAdded.',
    subscribe: ({ args, context }) => (context as GraphQLContext).services.agent.watchSession(requireAuth(context as GraphQLContext), String(args.sessionId)),
  })
  chatSessionEvents(
    @Arg('sessionId', () => ID, { description: "The chat session's id; NOT_FOUND when it does not exist or is not the caller's." }) _sessionId: string,
    @Root() payload: AgentEventPayload,
    @Ctx() ctx: GraphQLContext,
  ): AgentEvent {
    return eventFor(payload, ctx);
  }
}

@Resolver(() => ChatSession)
export class ChatSessionRunResolver {
  @FieldResolver(() => AgentRunView, { nullable: true, description: 'The unfinished run, if any.' })
  activeRun(@Root() session: ChatSession, @Ctx() ctx: GraphQLContext): Promise<AgentRunView | null> {
    return ctx.services.agent.activeRun(session);
  }
}
