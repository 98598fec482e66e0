import { Entity, Enum, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { ChatSession } from './chat-session.entity.js';

export enum MessageRole {
  USER = 'USER',
  ASSISTANT = 'ASSISTANT',
  SYSTEM = 'SYSTEM',
}
registerEnumType(MessageRole, {
  description: 'Who wrote a message.',
  name: 'MessageRole',
  valuesConfig: {
    USER: { description: 'The user.' },
    SYSTEM: { description: 'Written by the gateway, not by the user or the assistant.' },
    ASSISTANT: { description: 'The assistant.' },
  },
});

@ObjectType('Message', { description: 'One message of a chat session.' })
@Entity()
// Order within a session is seq (1, 2, 3 ...): ids and clocks of a fleet do not order reliably.
@Unique({ properties: ['session', 'seq'] })
export class Message extends BaseEntity<'runId' | 'parent' | 'author'> {
  @ManyToOne(() => ChatSession, { ref: true, deleteRule: 'cascade' })
  session: Ref<ChatSession>;

  @Property({ type: 'integer' })
  seq: number;

  /** The message this one follows; siblings (regenerated answers, edited questions) share it. Deleting a message takes its subtree. */
  @ManyToOne(() => Message, { ref: true, nullable: true, deleteRule: 'cascade', index: true })
  parent: Ref<Message> | null = null;

  @Field(() => MessageRole, { description: 'Who wrote it: USER, ASSISTANT or SYSTEM.' })
  @Enum({ items: () => MessageRole, nativeEnumName: 'message_role' })
  role: MessageRole;

  @Field(() => String, {
    description: 'The text, at most 100,000 characters. An assistant message is complete once its run has finished; TokenDelta events stream it while running.',
  })
  @Property({ type: 'text' })
  content: string;

  /** Who wrote a USER message (sendMessage, editMessage): in a GROUP session, which member. Shown as Message.author. */
  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  author: Ref<User> | null = null;

  /** The agent run that produced or consumed this message; the agent module owns runs. */
  @Field(() => ID, { description: 'The run that wrote it or that it started; null for messages outside a run (e.g. imported).', nullable: true })
  @Property({ type: 'uuid', nullable: true })
  runId: string | null = null;

  @Field(() => ID, { description: 'The message this one answers or follows; null for the first.', nullable: true })
  get parentId(): string | null {
    return this.parent?.id ?? null;
  }

  @Field(() => ID, { description: 'The chat session it belongs to.' })
  get sessionId(): string {
    return this.session.id;
  }

  constructor(session: Ref<ChatSession>, seq: number, role: MessageRole, content: string, runId: string | null = null) {
    super();
    this.session = session;
    this.seq = seq;
    this.role = role;
    this.content = content;
    this.runId = runId;
  }
}
