import { BigIntType, Check, Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../db/base.entity.js';
import { Account } from '../accounts/account.entity.js';
import { User } from '../auth/user.entity.js';
import { Transfer } from '../transfers/transfer.entity.js';
import { Card } from './card.entity.js';
import { SpendingCategory } from './mcc.rules.js';

export enum CardPaymentStatus {
  APPROVED = 'APPROVED',
  DECLINED = 'DECLINED',
}
registerEnumType(CardPaymentStatus, {
  name: 'CardPaymentStatus',
  description: 'APPROVED moved the money; DECLINED moved none.',
  valuesConfig: {
    DECLINED: { description: 'No money moved: see CardPayment.declineReason.' },
    APPROVED: { description: 'The money moved: see CardPayment.transfer.' },
  },
});

export enum DeclineReason {
  CARD_FROZEN = 'CARD_FROZEN',
  CARD_CANCELLED = 'CARD_CANCELLED',
  CARD_EXPIRED = 'CARD_EXPIRED',
  INSUFFICIENT_FUNDS = 'INSUFFICIENT_FUNDS',
  MONTHLY_LIMIT_EXCEEDED = 'MONTHLY_LIMIT_EXCEEDED',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  ACCOUNT_CLOSED = 'ACCOUNT_CLOSED',
}
registerEnumType(DeclineReason, {
  name: 'DeclineReason',
  description: "Why the card network's request was declined. A decline moves no money and is kept.",
  valuesConfig: {
    MONTHLY_LIMIT_EXCEEDED: { description: "This payment would take the month's approved spending over the card's monthlyLimit." },
    INSUFFICIENT_FUNDS: { description: 'The balance is lower than the amount.' },
    CURRENCY_MISMATCH: { description: "The payment's currency is not the account's." },
    CARD_FROZEN: { description: 'The card is frozen by its owner.' },
    CARD_EXPIRED: { description: 'The card is past its expiry month.' },
    CARD_CANCELLED: { description: 'The card was cancelled.' },
    ACCOUNT_CLOSED: { description: "The card's account is closed." },
  },
});

/**
 * The card network's request and its verdict. Written only inside the money transaction
 * (raw SQL, card.sql.ts), approved ones together with their transfer. The network's
 * idempotency key is scoped to the operator that recorded it, like a transfer's to its user.
 */
@Entity()
@Unique({ properties: ['recordedBy', 'idempotencyKey'] })
@Index({ properties: ['card', 'status', 'createdAt'] })
@Index({ properties: ['user', 'createdAt', 'id'] })
@Check({ name: 'card_payment_amount_check', expression: 'amount > 0' })
export class CardPayment extends BaseEntity<'declineReason' | 'transfer'> {
  @ManyToOne(() => Card, { ref: true })
  card!: Ref<Card>;

  @Index()
  @ManyToOne(() => Account, { ref: true })
  account!: Ref<Account>;

  /** The card's owner, copied in. */
  @ManyToOne(() => User, { ref: true })
  user!: Ref<User>;

  /** The operator (card network) that sent the request: the scope of its idempotency key. */
  @ManyToOne(() => User, { ref: true })
  recordedBy!: Ref<User>;

  @Property({ type: 'text' })
  merchant!: string;

  @Property({ type: 'text' })
  merchantCategoryCode!: string;

  @Enum({ items: () => SpendingCategory, nativeEnumName: 'spending_category' })
  category!: SpendingCategory;

  @Property({ type: new BigIntType('bigint') })
  amount!: bigint;

  @Property({ type: 'text' })
  currency!: string;

  @Enum({ items: () => CardPaymentStatus, nativeEnumName: 'card_payment_status' })
  status!: CardPaymentStatus;

  @Enum({ items: () => DeclineReason, nativeEnumName: 'decline_reason', nullable: true })
  declineReason: DeclineReason | null = null;

  @ManyToOne(() => Transfer, { ref: true, nullable: true })
  transfer: Ref<Transfer> | null = null;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  /** sha256 of the canonical request: the same key with another request is refused. */
  @Property({ type: 'text' })
  requestHash!: string;
}
