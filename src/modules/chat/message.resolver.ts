import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { PublicUser } from '../auth/auth.types.js';
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

  @FieldResolver(() => PublicUser, {
    nullable: true,
    description:
      "Who wrote a USER message: in a GROUP conversation, which member (id and username). Null for the assistant's and system messages, and for messages imported or stored before authors were kept.",
  })
  author(@Root() message: Message, @Ctx() ctx: GraphQLContext): Promise<PublicUser | null> {
    return ctx.services.chat.author(message);
  }
}
