import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination.js';
import { ChatSession } from './chat-session.entity.js';
import { Message } from './message.entity.js';

export const ChatSessionConnection = ConnectionType('ChatSession', ChatSession);
export const MessageConnection = ConnectionType('Message', Message);

export interface MessagePageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

@ObjectType('MessageSiblings', { description: 'Where a message stands among the answers (or edits) that share its parent.' })
export class MessageSiblingsView {
  @Field(() => Int, { description: 'Its place in ids, from 0.' })
  index!: number;

  @Field(() => Int, { description: 'How many messages share the parent, this one included; 1 when it has no siblings.' })
  count!: number;

  @Field(() => [ID], { description: 'Their ids, oldest first.' })
  ids!: string[];
}
