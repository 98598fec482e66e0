import { MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { ConversationType } from './chat-session.entity.js';

@InputType('ChatContextInput', { description: "What a planning conversation is about; the agent's context includes it." })
export class ChatContextInput {
  @Field(() => ID, { nullable: true, description: "One of the caller's goals (else NOT_FOUND)." })
  goalId?: string | null;

  @Field(() => String, { nullable: true, description: "A day 'YYYY-MM-DD' in the user's time zone." })
  planDate?: string | null;
}

@InputType('CreateChatSessionInput')
export class CreateChatSessionInput {
  @Field(() => ConversationType, { defaultValue: ConversationType.GENERAL })
  conversationType!: ConversationType;

  @Field(() => String, { nullable: true })
  @MaxLength(SIZE_CAPS.sessionTitle, { message: `must be at most ${SIZE_CAPS.sessionTitle} characters` })
  title?: string | null;

  @Field(() => JSONScalar, { nullable: true })
  metadata?: unknown;

  @Field(() => ChatContextInput, { nullable: true, description: 'A goal or a day the conversation is about; null for none.' })
  context?: ChatContextInput | null;
}
