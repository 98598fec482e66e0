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
@ObjectType('Draft', {
  description:
    "The journal entry being written in a JOURNALING session: one text per section of the user's active template. The assistant fills it (DraftUpdated events); finalizeDraft saves it.",
})
@Entity()
export class Draft extends BaseEntity<'sections'> {
  @Unique()
  @ManyToOne(() => ChatSession, { ref: true, deleteRule: 'cascade' })
  session: Ref<ChatSession>;

  /** Non-empty sections under their canonical names, in template order. */
  @Field(() => [DraftSection], { description: 'One per section of the active template, in the template\'s order; empty sections have content "".' })
  @Property({ type: 'json' })
  sections: SectionContent[] = [];

  @Field(() => Date, { description: 'Last change (UTC).' })
  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  override updatedAt: Date = new Date();

  @Field(() => ID, { description: 'The JOURNALING session it belongs to.' })
  get sessionId(): string {
    return this.session.id;
  }

  @Field(() => Boolean, { description: 'True when every section is empty (finalizeDraft would fail with DRAFT_EMPTY).' })
  get isEmpty(): boolean {
    return this.sections.every((s) => s.content.trim() === '');
  }

  constructor(session: Ref<ChatSession>) {
    super();
    this.session = session;
  }
}
