import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { Account } from '../accounts/account.entity.js';
import { User } from '../auth/user.entity.js';
import { Transfer } from '../transfers/transfer.entity.js';
import { Group } from './group.entity.js';

export enum SettlementStatus {
  PROPOSED = 'PROPOSED',
  SETTLED = 'SETTLED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(SettlementStatus, {
  name: 'SettlementStatus',
  description: 'Where a payment between two members stands.',
  valuesConfig: {
    PROPOSED: { description: 'Its transfer waits for the payer’s confirmTransfer; balances do not move yet.' },
    SETTLED: { description: 'Paid: the transfer posted (in the same database transaction) or the payee recorded it.' },
    CANCELLED: { description: 'Its transfer was cancelled or expired; balances never moved.' },
  },
});

/**
 * A payment from one member to another. Through the ledger its transfer is proposed with this
 * row's id as the idempotency key, so the posting hook finds it even before transferId is set.
 */
@Entity({ tableName: 'group_settlement' })
@Index({ properties: ['group', 'id'] })
@Index({ properties: ['fromAccount', 'status'] })
@Check({ name: 'group_settlement_amount_check', expression: 'amount > 0' })
export class Settlement extends BaseEntity<'transfer' | 'fromAccount'> {
  @ManyToOne(() => Group, { ref: true, deleteRule: 'cascade' })
  group!: Ref<Group>;

  @ManyToOne(() => User, { ref: true })
  fromUser!: Ref<User>;

  @ManyToOne(() => User, { ref: true })
  toUser!: Ref<User>;

  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Enum({ items: () => SettlementStatus, nativeEnumName: 'settlement_status' })
  status!: SettlementStatus;

  /** Null for a payment made outside the gateway. */
  @ManyToOne(() => Account, { ref: true, nullable: true })
  fromAccount: Ref<Account> | null = null;

  @ManyToOne(() => Transfer, { ref: true, nullable: true })
  transfer: Ref<Transfer> | null = null;
}
