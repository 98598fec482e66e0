import { Entity, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { ChatSession } from '../chat/chat-session.entity.js';
import { DraftSection } from './drafts.types.js';

export interface SectionContent {
  name: string;
  content: string;
}

/** The current draft of a JOURNALING session: one row per session, emptied on finalize. */
@ObjectType('Draft')
@Entity()
export class Draft extends BaseEntity<'sections'> {
  @Unique()
  @ManyToOne(() => ChatSession, { ref: true, deleteRule: 'cascade' })
  session: Ref<ChatSession>;

  /** Non-empty sections under their canonical names, in template order. */
  @Field(() => [DraftSection])
  @Property({ type: 'json' })
  sections: SectionContent[] = [];

  @Field(() => Date)
  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  override updatedAt: Date = new Date();

  @Field(() => ID)
  get sessionId(): string {
    return this.session.id;
  }

  @Field(() => Boolean)
  get isEmpty(): boolean {
    return this.sections.every((s) => s.content.trim() === '');
  }

  constructor(session: Ref<ChatSession>) {
    super();
    this.session = session;
  }
}
