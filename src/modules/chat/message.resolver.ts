import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { MessageSiblingsView } from './chat.types.js';
import { Message } from './message.entity.js';

@Resolver(() => Message)
export class MessageResolver {
  @FieldResolver(() => MessageSiblingsView, {
    description: 'Where it stands among the messages that share its parent (regenerated answers, edited questions).',
  })
  siblings(@Root() message: Message, @Ctx() ctx: GraphQLContext): Promise<MessageSiblingsView> {
    return ctx.services.chat.siblings(message);
  }
}
