import { MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { ConversationType } from './chat-session.entity.js';

@InputType('CreateChatSessionInput', { description: 'A new chat session of one conversation type.' })
export class CreateChatSessionInput {
  @Field(() => ConversationType, { description: 'Fixed for the life of the session; GENERAL when omitted.', defaultValue: ConversationType.GENERAL })
  conversationType!: ConversationType;

  @Field(() => String, { description: 'At most 200 characters; null for an untitled session.', nullable: true })
  @MaxLength(SIZE_CAPS.sessionTitle, { message: `must be at most ${SIZE_CAPS.sessionTitle} characters` })
  title?: string | null;

  @Field(() => JSONScalar, { description: 'Any JSON the client wants back later (at most 10,000 bytes, 32 levels deep); null for none.', nullable: true })
  metadata?: unknown;
}
