import { Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { JSONScalar } from '../../shared/scalars.js';
import { User } from '../auth/user.entity.js';
import { Goal } from '../plans/goal.entity.js';

export enum ConversationType {
  GENERAL = 'GENERAL',
  JOURNALING = 'JOURNALING',
  COACHING = 'COACHING',
  REFLECTION = 'REFLECTION',
  PLANNING = 'PLANNING',
  GROUP = 'GROUP',
}
registerEnumType(ConversationType, {
  name: 'ConversationType',
  description: 'What a chat session is for; it decides which tools the assistant may use (see the README table).',
  valuesConfig: {
    GENERAL: { description: 'Anything; the assistant only reads.' },
    JOURNALING: {
      description: "Journaling: the assistant structures what the user shares into the session's draft (see Draft) and saves it as a journal entry when asked.",
    },
    COACHING: { description: 'Money: balances, spending, budget jars, cards, and transfers the user confirms.' },
    REFLECTION: { description: 'Looking back over journal entries and goals; the assistant only reads.' },
    PLANNING: { description: 'Goals and daily or weekly plans; the context names a goal or a day.' },
    GROUP: {
      description:
        "A group's one shared conversation (Group.chatSession), made with the group: every current member reads it, writes in it and follows its runs; the assistant reads balances and expenses and proposes expenses a member confirms. Not for createChatSession.",
    },
  },
});

@ObjectType('ChatContext', { description: 'What a planning conversation is about, as given at creation.' })
export class ChatContextView {
  @Field(() => ID, { nullable: true, description: "One of the user's goals; null when none (or the goal was deleted)." })
  goalId!: string | null;

  @Field(() => String, { nullable: true, description: "A plan day 'YYYY-MM-DD'; null when none." })
  planDate!: string | null;
}

@ObjectType('ChatSession', { description: 'A conversation with the assistant: its messages, the draft of a JOURNALING session and the run in progress.' })
@Entity()
// Serves "most recently active first" for one user, archived or not.
@Index({ properties: ['user', 'updatedAt', 'id'] })
export class ChatSession extends BaseEntity<'title' | 'archived' | 'metadata' | 'messageCount' | 'contextGoal' | 'contextPlanDate' | 'activeLeaf'> {
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

  /** The context's goal (PLANNING and others): the assistant reads it with the user's goals. */
  @ManyToOne(() => Goal, { ref: true, nullable: true, deleteRule: 'set null' })
  contextGoal: Ref<Goal> | null = null;

  /** The context's day 'YYYY-MM-DD'. */
  @Property({ type: 'text', nullable: true })
  contextPlanDate: string | null = null;

  /** Messages so far; the next message takes the next number (see ChatService.appendMessage). */
  @Property({ type: 'integer' })
  messageCount = 0;

  /** The last message of the branch the user is on: kept here so every device and a reload see one branch. Named, not imported: Message refers to this file. */
  @ManyToOne({ entity: 'Message', ref: true, nullable: true, deleteRule: 'set null' })
  activeLeaf: Ref<BaseEntity<string>> | null = null;

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
