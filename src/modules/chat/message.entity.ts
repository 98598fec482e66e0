import { Entity, Enum, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { ChatSession } from './chat-session.entity.js';

export enum MessageRole {
  USER = 'USER',
  ASSISTANT = 'ASSISTANT',
  SYSTEM = 'SYSTEM',
}
registerEnumType(MessageRole, { name: 'MessageRole' });

@ObjectType('Message')
@Entity()
// Order within a session is seq (1, 2, 3 ...): ids and clocks of a fleet do not order reliably.
@Unique({ properties: ['session', 'seq'] })
export class Message extends BaseEntity<'runId'> {
  @ManyToOne(() => ChatSession, { ref: true, deleteRule: 'cascade' })
  session: Ref<ChatSession>;

  @Property({ type: 'integer' })
  seq: number;

  @Field(() => MessageRole)
  @Enum({ items: () => MessageRole, nativeEnumName: 'message_role' })
  role: MessageRole;

  @Field(() => String)
  @Property({ type: 'text' })
  content: string;

  /** The agent run that produced or consumed this message; the agent module owns runs. */
  @Field(() => ID, { nullable: true })
  @Property({ type: 'uuid', nullable: true })
  runId: string | null = null;

  @Field(() => ID)
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
