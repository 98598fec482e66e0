import { Entity, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { ChatSession } from '../chat/chat-session.entity.js';
import type { SectionContent } from './draft.entity.js';
import { DraftSection } from './drafts.types.js';

/** The text configuration full-text search uses; the index and the query must agree. */
export const SEARCH_CONFIG = 'english';

@ObjectType('JournalEntry', { description: "A saved journal entry (from finalizeDraft or the assistant's save_journal tool)." })
@Entity()
@Index({ properties: ['user', 'createdAt', 'id'] })
@Index({
  name: 'journal_entry_search_index',
  expression: `create index "journal_entry_search_index" on "journal_entry" using gin (to_tsvector('${SEARCH_CONFIG}', "search_text"))`,
})
export class JournalEntry extends BaseEntity<'session'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  /** Null once the session is deleted: entries outlive their conversation. */
  @ManyToOne(() => ChatSession, { ref: true, nullable: true, deleteRule: 'set null', index: true })
  session: Ref<ChatSession> | null = null;

  @Field(() => String, { description: 'Up to 200 characters; made from the start of the first non-empty section when saved.' })
  @Property({ type: 'text' })
  title: string;

  @Field(() => [DraftSection], { description: "The sections as saved, in the template's order." })
  @Property({ type: 'json' })
  sections: SectionContent[];

  /** Title and section text, what full-text search reads. */
  @Property({ type: 'text', lazy: true })
  searchText: string;

  @Field(() => ID, { description: 'The session it was written in; null for an imported entry whose session is gone.', nullable: true })
  get sessionId(): string | null {
    return this.session?.id ?? null;
  }

  constructor(user: Ref<User>, session: Ref<ChatSession> | null, title: string, sections: SectionContent[], createdAt?: Date) {
    super();
    this.user = user;
    this.session = session;
    this.title = title;
    this.sections = sections;
    this.searchText = [title, ...sections.flatMap((s) => [s.name, s.content])].join('\n');
    if (createdAt) this.createdAt = this.updatedAt = createdAt;
  }
}
