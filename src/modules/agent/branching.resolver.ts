import { Arg, Args, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requireAuth, type GraphQLContext } from '../../shared/request-context.js';
import { ChatSession } from '../chat/chat-session.entity.js';
import { EditMessageArgs } from './branching.inputs.js';
import { AgentRunView } from './agent.types.js';

@Resolver()
export class BranchingResolver {
  @Authorized()
  @Mutation(() => AgentRunView, {
    description:
      'Asks again: a new assistant answer beside the old one, on the same user message, and the new active leaf. NOT_BRANCHABLE for a user message; RUN_IN_PROGRESS while the session has an unfinished run.',
  })
  regenerateMessage(
    @Arg('messageId', () => ID, { description: "An assistant message of one of the caller's sessions; NOT_FOUND otherwise." }) messageId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AgentRunView> {
    return ctx.services.agent.regenerate(requireAuth(ctx), messageId);
  }

  @Authorized()
  @Mutation(() => AgentRunView, {
    description:
      'A new user message beside the old one, with the new text, and a run answering it; the old branch stays reachable. NOT_BRANCHABLE for an assistant message; RUN_IN_PROGRESS while the session has an unfinished run.',
  })
  editMessage(@Args(() => EditMessageArgs) args: EditMessageArgs, @Ctx() ctx: GraphQLContext): Promise<AgentRunView> {
    return ctx.services.agent.edit(requireAuth(ctx), args.messageId, args.text);
  }

  @Authorized()
  @Mutation(() => ChatSession, {
    description:
      "Moves the session's active branch to the one that holds this message: the active leaf becomes the newest leaf under it. RUN_IN_PROGRESS while the session has an unfinished run.",
  })
  switchBranch(
    @Arg('messageId', () => ID, { description: "A message of one of the caller's sessions; NOT_FOUND otherwise." }) messageId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ChatSession> {
    return ctx.services.agent.switchBranch(requireAuth(ctx), messageId);
  }
}
