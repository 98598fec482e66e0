import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { TransactionDirection } from './transaction.enums.js';

/** Money the gateway cannot see (cash, another card), entered by the user: the feed's MANUAL source. */
@Entity()
@Index({ properties: ['user', 'occurredOn', 'id'] })
@Check({ name: 'manual_transaction_amount_check', expression: 'amount > 0' })
export class ManualTransaction extends BaseEntity<'jar'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => TransactionDirection, nativeEnumName: 'transaction_direction' })
  direction!: TransactionDirection;

  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text' })
  description!: string;

  @Enum({ items: () => SpendingCategory, nativeEnumName: 'spending_category' })
  category!: SpendingCategory;

  /** "YYYY-MM-DD", a day of the user's calendar. */
  @Property({ type: 'text' })
  occurredOn!: string;

  /** Moved to this jar; null: the category's jar. */
  // By name: the budget module (above this one) owns Jar.
  @ManyToOne({ entity: 'Jar', ref: true, nullable: true, deleteRule: 'set null' })
  jar: Ref<JarRef> | null = null;
}

/** What a transaction knows of its jar: the id (budget's Jar entity, referenced by name). */
interface JarRef {
  id: string;
}
