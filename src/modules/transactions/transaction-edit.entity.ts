import { Entity, Enum, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { SpendingCategory } from '../cards/mcc.rules.js';

/**
 * The user's category or jar for a transfer or a linked transaction, kept beside it: ledger
 * rows never change, and a bank's later edit of its transaction leaves the user's choice.
 */
@Entity()
@Unique({ properties: ['user', 'transactionId'] })
export class TransactionEdit extends BaseEntity<'category' | 'jar'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** The transfer's or linked transaction's id: the Transaction's id. */
  @Property({ type: 'uuid' })
  transactionId!: string;

  @Enum({ items: () => SpendingCategory, nativeEnumName: 'spending_category', nullable: true })
  category: SpendingCategory | null = null;

  // By name: the budget module (above this one) owns Jar.
  @ManyToOne({ entity: 'Jar', ref: true, nullable: true, deleteRule: 'set null' })
  jar: Ref<JarRef> | null = null;
}

/** What a transaction knows of its jar: the id (budget's Jar entity, referenced by name). */
interface JarRef {
  id: string;
}
