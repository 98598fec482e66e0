import { BigIntType, Check, Entity, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';

/** One row per user: the budget's currency and monthly income; also the row jar writes lock. */
@Entity()
@Check({ name: 'budget_monthly_income_check', expression: 'monthly_income is null or monthly_income >= 0' })
export class Budget extends BaseEntity<'monthlyIncome'> {
  @Unique()
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: new BigIntType('bigint'), nullable: true })
  monthlyIncome: bigint | null = null;
}
