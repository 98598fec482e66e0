import { BigIntType, Entity, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { Jar } from './jar.entity.js';

/** A budgetAlerts event sent: the unique (jar, month) makes it once even across concurrent payments and instances. */
@Entity()
@Unique({ properties: ['jar', 'month'] })
export class BudgetAlert extends BaseEntity {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => Jar, { ref: true, deleteRule: 'cascade' })
  jar!: Ref<Jar>;

  /** "YYYY-MM" in the user's time zone when it fired. */
  @Property({ type: 'text' })
  month!: string;

  @Property({ type: new BigIntType('bigint') })
  allocated!: bigint;

  @Property({ type: new BigIntType('bigint') })
  spent!: bigint;
}
