import { MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars.js';
import { LIMITS } from '../../shared/limits.js';
import { ConversationType } from './chat-session.entity.js';

@InputType('CreateChatSessionInput')
export class CreateChatSessionInput {
  @Field(() => ConversationType, { defaultValue: ConversationType.GENERAL })
  conversationType!: ConversationType;

  @Field(() => String, { nullable: true })
  @MaxLength(LIMITS.sessionTitle, { message: `must be at most ${LIMITS.sessionTitle} characters` })
  title?: string | null;

  @Field(() => JSONScalar, { nullable: true })
  metadata?: unknown;
}
