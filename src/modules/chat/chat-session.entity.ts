import { Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { JSONScalar } from '../../graphql/scalars.js';
import { User } from '../auth/user.entity.js';

export enum ConversationType {
  GENERAL = 'GENERAL',
  JOURNALING = 'JOURNALING',
  COACHING = 'COACHING',
}
registerEnumType(ConversationType, {
  description: "What a chat session is for; it chooses the assistant's instructions and tools.",
  name: 'ConversationType',
  valuesConfig: {
    JOURNALING: {
      description: "Journaling: the assistant structures what the user shares into the session's draft (see Draft) and saves it as a journal entry when asked.",
    },
    GENERAL: { description: 'General conversation with every tool available.' },
    COACHING: { description: 'Money coaching: reads accounts and spending, proposes transfers for the user to confirm.' },
  },
});

@ObjectType('ChatSession', { description: 'A conversation with the assistant: its messages, the draft of a JOURNALING session and the run in progress.' })
@Entity()
// Serves "most recently active first" for one user, archived or not.
@Index({ properties: ['user', 'updatedAt', 'id'] })
export class ChatSession extends BaseEntity<'title' | 'archived' | 'metadata' | 'messageCount'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Field(() => String, { description: 'Up to 200 characters; null until the user names it.', nullable: true })
  @Property({ type: 'text', nullable: true })
  title: string | null = null;

  @Field(() => ConversationType, { description: 'What the assistant is set up for in this session; fixed at creation.' })
  @Enum({ items: () => ConversationType, nativeEnumName: 'conversation_type' })
  conversationType: ConversationType;

  @Field(() => Boolean, { description: 'Hidden from chatSessions unless includeArchived is true; still readable by id.' })
  @Property({ type: 'boolean' })
  archived = false;

  @Field(() => JSONScalar, { nullable: true, description: 'Whatever the client stored at creation.' })
  @Property({ type: 'json', nullable: true })
  metadata: Record<string, unknown> | null = null;

  /** Messages so far; the next message takes the next number (see ChatService.appendMessage). */
  @Property({ type: 'integer' })
  messageCount = 0;

  @Field(() => Date, { description: 'Last activity (UTC): a message, rename or archive. chatSessions lists by it, most recent first.' })
  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  override updatedAt: Date = new Date();

  constructor(user: Ref<User>, conversationType: ConversationType, title: string | null, metadata: Record<string, unknown> | null) {
    super();
    this.user = user;
    this.conversationType = conversationType;
    this.title = title;
    this.metadata = metadata;
  }
}
