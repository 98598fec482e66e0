import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { TransactionDirection } from '../transactions/transaction.enums.js';
import { LinkedAccount } from './linked-account.entity.js';

/**
 * A transaction read from a linked account: the feed's LINKED source. Written only by the
 * sync (multi-row upserts keyed by the bank's id, so a page applied twice changes nothing).
 */
@Entity()
@Unique({ properties: ['account', 'externalId'] })
@Index({ properties: ['user', 'occurredOn', 'id'] })
@Check({ name: 'linked_transaction_amount_check', expression: 'amount > 0' })
export class LinkedTransaction extends BaseEntity<'merchant' | 'pendingExternalId'> {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => LinkedAccount, { ref: true, deleteRule: 'cascade' })
  account!: Ref<LinkedAccount>;

  @Property({ type: 'text' })
  externalId!: string;

  @Enum({ items: () => TransactionDirection, nativeEnumName: 'transaction_direction' })
  direction!: TransactionDirection;

  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'text', nullable: true })
  merchant: string | null = null;

  /** From the aggregator's category or the MCC, else OTHER; the user's own choice is a transaction_edit. */
  @Enum({ items: () => SpendingCategory, nativeEnumName: 'spending_category' })
  category!: SpendingCategory;

  /** "YYYY-MM-DD" as the bank dates it. */
  @Property({ type: 'text' })
  occurredOn!: string;

  @Property({ type: 'boolean' })
  pending!: boolean;

  @Property({ type: 'text', nullable: true })
  pendingExternalId: string | null = null;
}
