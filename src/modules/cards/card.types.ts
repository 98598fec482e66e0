import { Field, ID, ObjectType } from 'type-graphql';
import { Money, money } from '../../shared/money.js';
import { ConnectionType } from '../../shared/pagination.js';
import { CardPaymentStatus, DeclineReason, type CardPayment } from './card-payment.entity.js';
import { SpendingCategory } from './mcc.rules.js';

/** A card payment as the API shows it; built from a CardPaymentRow, written or read. */
@ObjectType('CardPayment', { description: "The card network's request on one of the caller's cards, approved or declined." })
export class CardPaymentView {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => String, { description: 'The merchant name the network sent, e.g. "Corner Grocery".' })
  merchant!: string;

  @Field(() => String, { description: 'The four-digit merchant category code the network sent.' })
  merchantCategoryCode!: string;

  @Field(() => SpendingCategory, { description: 'Spending category from the merchant category code.' })
  category!: SpendingCategory;

  @Field(() => Money, { description: "What the merchant asked for, in the account's currency." })
  amount!: Money;

  @Field(() => CardPaymentStatus, { description: 'APPROVED (money moved) or DECLINED (none moved).' })
  status!: CardPaymentStatus;

  @Field(() => DeclineReason, { description: 'Why it was DECLINED; null when APPROVED.', nullable: true })
  declineReason!: DeclineReason | null;

  @Field(() => Date, { description: 'When the network sent the request (UTC).' })
  createdAt!: Date;

  /** For the card and transfer field resolvers. */
  cardId!: string;
  userId!: string;
  transferId!: string | null;
}

export const CardPaymentConnection = ConnectionType('CardPayment', CardPaymentView);

/** A card_payment row, as the money transaction writes it or a read returns it. */
export interface CardPaymentRow {
  id: string;
  cardId: string;
  accountId: string;
  userId: string;
  recordedById: string;
  merchant: string;
  merchantCategoryCode: string;
  category: SpendingCategory;
  amount: bigint;
  currency: string;
  status: CardPaymentStatus;
  declineReason: DeclineReason | null;
  transferId: string | null;
  idempotencyKey: string;
  requestHash: string;
  createdAt: Date;
}

export function rowOfPayment(p: CardPayment): CardPaymentRow {
  return {
    id: p.id,
    cardId: p.card.id,
    accountId: p.account.id,
    userId: p.user.id,
    recordedById: p.recordedBy.id,
    merchant: p.merchant,
    merchantCategoryCode: p.merchantCategoryCode,
    category: p.category,
    amount: p.amount,
    currency: p.currency,
    status: p.status,
    declineReason: p.declineReason,
    transferId: p.transfer?.id ?? null,
    idempotencyKey: p.idempotencyKey,
    requestHash: p.requestHash,
    createdAt: p.createdAt,
  };
}

export function paymentView(p: CardPaymentRow): CardPaymentView {
  return {
    id: p.id,
    merchant: p.merchant,
    merchantCategoryCode: p.merchantCategoryCode,
    category: p.category,
    amount: money(p.amount, p.currency),
    status: p.status,
    declineReason: p.declineReason,
    createdAt: p.createdAt,
    cardId: p.cardId,
    userId: p.userId,
    transferId: p.transferId,
  };
}
