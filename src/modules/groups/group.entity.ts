import { BigIntType, Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { ChatSession } from '../chat/chat-session.entity.js';

export enum GroupRole {
  OWNER = 'OWNER',
  MEMBER = 'MEMBER',
}
registerEnumType(GroupRole, {
  name: 'GroupRole',
  description: "A member's powers in a group.",
  valuesConfig: {
    OWNER: { description: 'Created the group or was made owner: may remove members and revoke any invitation.' },
    MEMBER: { description: 'Adds, edits and settles expenses; invites others.' },
  },
});

export enum InvitationStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  REVOKED = 'REVOKED',
}
registerEnumType(InvitationStatus, {
  name: 'InvitationStatus',
  description: 'Where an invitation to a group stands.',
  valuesConfig: {
    PENDING: { description: 'Waiting for the invitee.' },
    ACCEPTED: { description: 'The invitee joined.' },
    DECLINED: { description: 'The invitee said no.' },
    REVOKED: { description: 'The inviter or an owner withdrew it.' },
  },
});

/** People who share costs in one currency. "group" is a keyword in SQL, hence the table name. */
@Entity({ tableName: 'expense_group' })
export class Group extends BaseEntity<'chatSession'> {
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  currency!: string;

  @ManyToOne(() => User, { ref: true })
  createdBy!: Ref<User>;

  /** The group's one GROUP conversation; null only for groups made before conversations (made on first read). */
  @ManyToOne(() => ChatSession, { ref: true, nullable: true, unique: true, deleteRule: 'set null' })
  chatSession: Ref<ChatSession> | null = null;
}

/** A user's membership; a member who leaves keeps the row (leftAt), so history still names them. */
@Entity()
@Unique({ properties: ['group', 'user'] })
@Index({ properties: ['user', 'leftAt'] })
export class GroupMember extends BaseEntity<'leftAt' | 'expenseBalance'> {
  @ManyToOne(() => Group, { ref: true, deleteRule: 'cascade' })
  group!: Ref<Group>;

  @ManyToOne(() => User, { ref: true })
  user!: Ref<User>;

  @Enum({ items: () => GroupRole, nativeEnumName: 'group_role' })
  role!: GroupRole;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  joinedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  leftAt: Date | null = null;

  /**
   * Paid minus owed over the group's expenses not deleted, moved in the transaction of every
   * expense write (expenses.service.ts) under the group's lock, so a balance read does not sum
   * the whole history. Settlements are added when read (groups.sql.ts: few, and their postings
   * run on the money path, which takes no group locks).
   */
  @Property({ type: new BigIntType('bigint') })
  expenseBalance: bigint = 0n;
}

@Entity()
@Index({ properties: ['invitedUser', 'status'] })
@Index({ properties: ['group', 'status'] })
export class GroupInvitation extends BaseEntity<'status'> {
  @ManyToOne(() => Group, { ref: true, deleteRule: 'cascade' })
  group!: Ref<Group>;

  @ManyToOne(() => User, { ref: true })
  invitedUser!: Ref<User>;

  @ManyToOne(() => User, { ref: true })
  invitedBy!: Ref<User>;

  @Enum({ items: () => InvitationStatus, nativeEnumName: 'invitation_status' })
  status: InvitationStatus = InvitationStatus.PENDING;
}
