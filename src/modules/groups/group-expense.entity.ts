import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { Group } from './group.entity.js';

export enum SplitMode {
  EQUAL = 'EQUAL',
  EXACT = 'EXACT',
  PERCENT = 'PERCENT',
  SHARES = 'SHARES',
}
registerEnumType(SplitMode, {
  name: 'SplitMode',
  description: 'How an expense is shared. Shares are integer minor units that always add up to the expense exactly.',
  valuesConfig: {
    EQUAL: { description: "Equal parts; the minor units that do not divide evenly go to the first members in the expense's share order, one each." },
    EXACT: { description: "Each share's amount given exactly; they must add up to the expense." },
    PERCENT: {
      description:
        "Each share in basis points; they must add up to 10000. Each share is rounded down and the units left go one each to the first shares with a weight, in the expense's share order.",
    },
    SHARES: {
      description:
        "Each share a whole number of parts (2 parts is twice 1 part). Rounded down; the units left go one each to the first shares with parts, in the expense's share order.",
    },
  },
});

/** A payer's or a share's line as stored: amounts as digit strings (JSON has no bigint). */
export interface StoredLine {
  userId: string;
  amount: string;
  weight?: number | null;
}

/** What one version of an expense said; the previous ones are kept in GroupExpenseVersion. */
export interface ExpenseState {
  description: string;
  amount: string;
  category: SpendingCategory;
  occurredOn: string;
  splitMode: SplitMode;
  payers: StoredLine[];
  shares: StoredLine[];
  deleted: boolean;
}

@Entity()
@Index({ properties: ['group', 'id'] })
@Unique({ properties: ['group', 'createdBy', 'clientRequestId'] })
@Check({ name: 'group_expense_amount_check', expression: 'amount > 0' })
// The transaction feed finds a user's paid expenses by containment (transactions/feed.sql.ts).
@Index({ name: 'group_expense_payers_index', expression: 'create index "group_expense_payers_index" on "group_expense" using gin ("payers" jsonb_path_ops)' })
export class GroupExpense extends BaseEntity<'deleted' | 'version' | 'clientRequestId'> {
  @ManyToOne(() => Group, { ref: true, deleteRule: 'cascade' })
  group!: Ref<Group>;

  @Property({ type: 'text' })
  description!: string;

  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Enum({ items: () => SpendingCategory, nativeEnumName: 'spending_category' })
  category!: SpendingCategory;

  /** 'YYYY-MM-DD'. */
  @Property({ type: 'text' })
  occurredOn!: string;

  @Enum({ items: () => SplitMode, nativeEnumName: 'split_mode' })
  splitMode!: SplitMode;

  @Property({ type: 'json' })
  payers!: StoredLine[];

  @Property({ type: 'json' })
  shares!: StoredLine[];

  @ManyToOne(() => User, { ref: true })
  createdBy!: Ref<User>;

  @Property({ type: 'integer' })
  version: number = 1;

  @Property({ type: 'boolean' })
  deleted: boolean = false;

  @Property({ type: 'text', nullable: true })
  clientRequestId: string | null = null;
}

/** The state an expense had before an edit or a delete: one row per replaced version. */
@Entity()
@Unique({ properties: ['expense', 'version'] })
export class GroupExpenseVersion extends BaseEntity {
  @ManyToOne(() => GroupExpense, { ref: true, deleteRule: 'cascade' })
  expense!: Ref<GroupExpense>;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'json' })
  state!: ExpenseState;

  @ManyToOne(() => User, { ref: true })
  replacedBy!: Ref<User>;
}
