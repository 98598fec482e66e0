import { MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { JSONScalar } from '../../shared/scalars.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { ConversationType } from './chat-session.entity.js';

@InputType('ChatContextInput', { description: "What a planning conversation is about; the agent's context includes it." })
export class ChatContextInput {
  @Field(() => ID, { nullable: true, description: "One of the caller's goals (else NOT_FOUND)." })
  goalId?: string | null;

  @Field(() => String, { nullable: true, description: "A day 'YYYY-MM-DD' in the user's time zone." })
  planDate?: string | null;
}

@InputType('CreateChatSessionInput', { description: 'A new chat session of the caller.' })
export class CreateChatSessionInput {
  @Field(() => ConversationType, {
    defaultValue: ConversationType.GENERAL,
    description: 'What the session is for; it decides the tools the assistant offers. GENERAL when left out.',
  })
  conversationType!: ConversationType;

  @Field(() => String, { nullable: true, description: `At most ${SIZE_CAPS.sessionTitle} characters; null for none.` })
  @MaxLength(SIZE_CAPS.sessionTitle, { message: `must be at most ${SIZE_CAPS.sessionTitle} characters` })
  title?: string | null;

  @Field(() => JSONScalar, {
    nullable: true,
    description: `Any JSON object the client wants kept with the session (at most ${SIZE_CAPS.metadataBytes} characters, ${SIZE_CAPS.metadataDepth} levels deep).`,
  })
  metadata?: unknown;

  @Field(() => ChatContextInput, { nullable: true, description: 'A goal or a day the conversation is about; null for none.' })
  context?: ChatContextInput | null;
}
