import { BigIntType, Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { LinkedAccountKind } from './linking.enums.js';
import { LinkedItem } from './linked-item.entity.js';

/** An account at another bank, read through the aggregator. Read-only: money never moves through it. */
@Entity()
@Unique({ properties: ['item', 'externalId'] })
export class LinkedAccount extends BaseEntity<'mask' | 'balance' | 'disconnected'> {
  @Index()
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => LinkedItem, { ref: true, deleteRule: 'cascade' })
  item!: Ref<LinkedItem>;

  @Property({ type: 'text' })
  externalId!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  mask: string | null = null;

  @Enum({ items: () => LinkedAccountKind, nativeEnumName: 'linked_account_kind' })
  kind!: LinkedAccountKind;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: new BigIntType('bigint'), nullable: true })
  balance: bigint | null = null;

  /** Unlinked by the user: no longer synced. */
  @Property({ type: 'boolean' })
  disconnected: boolean = false;
}
