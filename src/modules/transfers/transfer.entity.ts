import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { User } from '../auth/user.entity.js';
import { Account } from '../accounts/account.entity.js';

export enum TransferStatus {
  PENDING_CONFIRMATION = 'PENDING_CONFIRMATION',
  POSTED = 'POSTED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(TransferStatus, {
  description: 'Where a transfer is.',
  name: 'TransferStatus',
  valuesConfig: {
    POSTED: { description: 'The money moved: two ledger entries exist.' },
    PENDING_CONFIRMATION: { description: 'Proposed by the assistant, waiting for confirmTransfer or cancelTransfer until expiresAt.' },
    EXPIRED: { description: 'A proposal not confirmed before expiresAt; nothing moved.' },
    CANCELLED: { description: 'A proposal the user cancelled; nothing moved.' },
  },
});

export enum TransferOrigin {
  USER = 'USER',
  ASSISTANT = 'ASSISTANT',
  OPERATOR = 'OPERATOR',
}
registerEnumType(TransferOrigin, {
  description: 'Who asked for a transfer.',
  name: 'TransferOrigin',
  valuesConfig: {
    USER: { description: 'The user, with createTransfer.' },
    OPERATOR: { description: "The bank's systems: a deposit or a card payment." },
    ASSISTANT: { description: 'Proposed by the assistant; moves nothing until the user confirms it.' },
  },
});

/**
 * One movement of money between two accounts. Owners and account numbers are copied in
 * (accounts never change owner or number) so listing and access checks need no joins.
 */
@Entity()
@Check({ name: 'transfer_amount_check', expression: 'amount > 0' })
export class Transfer extends BaseEntity<'description' | 'idempotencyKey' | 'postedAt' | 'expiresAt'> {
  @Index()
  @ManyToOne(() => User, { ref: true })
  initiator!: Ref<User>;

  @Enum({ items: () => TransferOrigin, nativeEnumName: 'transfer_origin' })
  origin!: TransferOrigin;

  @Enum({ items: () => TransferStatus, nativeEnumName: 'transfer_status' })
  status!: TransferStatus;

  @Index()
  @ManyToOne(() => Account, { ref: true })
  fromAccount!: Ref<Account>;

  @Index()
  @ManyToOne(() => Account, { ref: true })
  toAccount!: Ref<Account>;

  @Index()
  @ManyToOne(() => User, { ref: true, nullable: true })
  fromUser!: Ref<User> | null;

  @Index()
  @ManyToOne(() => User, { ref: true, nullable: true })
  toUser!: Ref<User> | null;

  /** Null for deposits: the system account is nobody's to send to. */
  @Property({ type: 'text', nullable: true })
  fromAccountNumber!: string | null;

  @Property({ type: 'text' })
  toAccountNumber!: string;

  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  postedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;
}
