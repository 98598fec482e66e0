import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { Account } from '../accounts/account.entity.js';
import { User } from '../auth/user.entity.js';

export enum GoalHorizon {
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  YEAR = 'YEAR',
  LONG_TERM = 'LONG_TERM',
}
registerEnumType(GoalHorizon, {
  name: 'GoalHorizon',
  description: 'How far ahead a goal looks.',
  valuesConfig: {
    WEEK: { description: 'This week.' },
    MONTH: { description: 'This month.' },
    QUARTER: { description: 'The next three months.' },
    YEAR: { description: 'This year.' },
    LONG_TERM: { description: 'Beyond a year.' },
  },
});

export enum GoalStatus {
  ACTIVE = 'ACTIVE',
  ACHIEVED = 'ACHIEVED',
  ABANDONED = 'ABANDONED',
}
registerEnumType(GoalStatus, {
  name: 'GoalStatus',
  description: 'Where a goal stands.',
  valuesConfig: {
    ACTIVE: { description: 'Being worked on.' },
    ACHIEVED: { description: 'Done; a savings goal becomes ACHIEVED by itself when its account reaches the target.' },
    ABANDONED: { description: 'Given up; kept for the record.' },
  },
});

export enum Priority {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
registerEnumType(Priority, {
  name: 'Priority',
  description: 'How much a goal or plan item matters.',
  valuesConfig: { LOW: { description: 'Low.' }, MEDIUM: { description: 'Medium (the default).' }, HIGH: { description: 'High.' } },
});

/** A user's goal; with a target and an account it is a savings goal whose progress is the account's balance. */
@Entity()
@Index({ properties: ['user', 'status', 'id'] })
@Check({ name: 'goal_target_check', expression: 'target is null or (target > 0 and currency is not null)' })
export class Goal extends BaseEntity<'description' | 'status' | 'priority' | 'targetDate' | 'target' | 'currency' | 'account'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Enum({ items: () => GoalHorizon, nativeEnumName: 'goal_horizon' })
  horizon!: GoalHorizon;

  @Enum({ items: () => GoalStatus, nativeEnumName: 'goal_status' })
  status: GoalStatus = GoalStatus.ACTIVE;

  @Enum({ items: () => Priority, nativeEnumName: 'priority' })
  priority: Priority = Priority.MEDIUM;

  /** 'YYYY-MM-DD' in the user's time zone. */
  @Property({ type: 'text', nullable: true })
  targetDate: string | null = null;

  @Property({ type: new BigIntType('bigint'), nullable: true })
  target: bigint | null = null;

  @Property({ type: 'text', nullable: true })
  currency: string | null = null;

  @Index()
  @ManyToOne(() => Account, { ref: true, nullable: true })
  account: Ref<Account> | null = null;
}
