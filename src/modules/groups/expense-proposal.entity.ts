import { Entity, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { GroupExpense, type ExpenseState } from './group-expense.entity.js';
import { Group } from './group.entity.js';

/**
 * An expense the assistant proposed in the group's conversation: nothing is added until a
 * member confirms it (confirmGroupExpense) before it expires; confirming twice adds it once.
 */
@Entity()
@Index({ properties: ['group', 'id'] })
export class GroupExpenseProposal extends BaseEntity<'expense'> {
  @ManyToOne(() => Group, { ref: true, deleteRule: 'cascade' })
  group!: Ref<Group>;

  /** The member whose message the assistant was answering. */
  @ManyToOne(() => User, { ref: true })
  proposedBy!: Ref<User>;

  /** The expense as it would be added, split already (what the assistant showed). */
  @Property({ type: 'json' })
  state!: ExpenseState;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  /** Set when a member confirmed it. */
  @ManyToOne(() => GroupExpense, { ref: true, nullable: true, unique: true })
  expense: Ref<GroupExpense> | null = null;
}
