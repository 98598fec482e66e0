import { Entity, Enum, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { SpendingCategory } from '../cards/mcc.rules.js';

/** "Later transactions with this counterparty are in this category": categorizeTransaction(rememberForCounterparty). */
@Entity()
@Unique({ properties: ['user', 'counterparty'] })
export class CategorizationRule extends BaseEntity {
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** 'account:<receiving account id>' or 'merchant:<lower-cased merchant>'. */
  @Property({ type: 'text' })
  counterparty!: string;

  @Enum({ items: () => SpendingCategory, nativeEnumName: 'spending_category' })
  category!: SpendingCategory;
}
