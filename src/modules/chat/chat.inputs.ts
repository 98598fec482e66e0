import { MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { ConversationType } from './chat-session.entity.js';

@InputType('CreateChatSessionInput')
export class CreateChatSessionInput {
  @Field(() => ConversationType, { defaultValue: ConversationType.GENERAL })
  conversationType!: ConversationType;

  @Field(() => String, { nullable: true })
  @MaxLength(SIZE_CAPS.sessionTitle, { message: `must be at most ${SIZE_CAPS.sessionTitle} characters` })
  title?: string | null;

  @Field(() => JSONScalar, { nullable: true })
  metadata?: unknown;
}
