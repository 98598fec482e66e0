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
registerEnumType(ConversationType, { name: 'ConversationType' });

@ObjectType('ChatSession')
@Entity()
// Serves "most recently active first" for one user, archived or not.
@Index({ properties: ['user', 'updatedAt', 'id'] })
export class ChatSession extends BaseEntity<'title' | 'archived' | 'metadata' | 'messageCount'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  title: string | null = null;

  @Field(() => ConversationType)
  @Enum({ items: () => ConversationType, nativeEnumName: 'conversation_type' })
  conversationType: ConversationType;

  @Field(() => Boolean)
  @Property({ type: 'boolean' })
  archived = false;

  @Field(() => JSONScalar, { nullable: true, description: 'Whatever the client stored at creation.' })
  @Property({ type: 'json', nullable: true })
  metadata: Record<string, unknown> | null = null;

  /** Messages so far; the next message takes the next number (see ChatService.appendMessage). */
  @Property({ type: 'integer' })
  messageCount = 0;

  @Field(() => Date)
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
