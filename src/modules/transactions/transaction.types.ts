import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination.js';
import { Money, money } from '../../shared/money.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { TransactionDirection, TransactionSource } from './transaction.enums.js';

@ObjectType('Transaction', { description: 'One money movement as the budget sees it, whatever its source. Jars, insights and the agent read these.' })
export class TransactionView {
  @Field(() => ID, { description: "The card payment's, transfer's or manual transaction's id." })
  id!: string;

  @Field(() => TransactionSource, { description: 'Where it comes from.' })
  source!: TransactionSource;

  @Field(() => TransactionDirection, { description: 'OUT is spending, IN is income.' })
  direction!: TransactionDirection;

  @Field(() => Money, { description: 'Always positive; direction says which way.' })
  amount!: Money;

  @Field(() => String, { description: "Merchant, counterparty or the user's own words." })
  description!: string;

  @Field(() => SpendingCategory, { description: "The merchant's category for a card payment; the user's (or a remembered one) otherwise, OTHER until set." })
  category!: SpendingCategory;

  @Field(() => String, { description: 'The calendar day in the user\'s time zone, "YYYY-MM-DD".' })
  occurredOn!: string;

  @Field(() => Boolean, {
    description: "A linked bank's transaction that has not settled yet. Pending transactions count in the budget until the bank replaces or removes them.",
  })
  pending!: boolean;

  @Field(() => Date, { description: 'When it was recorded (UTC).' })
  createdAt!: Date;

  /** For the field resolvers: the effective jar, the account, the card payment, the transfer. */
  jarId!: string | null;
  accountId!: string | null;
  cardPaymentId!: string | null;
  transferId!: string | null;
  linkedAccountId!: string | null;
  /** Whom a categorization rule follows ('account:<id>'); null when none can. */
  counterparty!: string | null;
  /** The sort key: the moment, or the start of a manual transaction's day. */
  at!: Date;
}

export const TransactionConnection = ConnectionType('Transaction', TransactionView);

@ObjectType('SourceSpend', { description: 'What one source added to a month of spending.' })
export class SourceSpend {
  @Field(() => TransactionSource, { description: 'The source.' })
  source!: TransactionSource;

  @Field(() => Money, { description: 'Spent (OUT) from this source in the month.' })
  spent!: Money;

  @Field(() => Int, { description: 'How many transactions.' })
  transactions!: number;

  /** Where most of it went (not in the API: the agent names it, "1,200.00 USD on housing by transfer"); null when nothing was spent. */
  mainCategory!: SpendingCategory | null;
}

/** A feed row (feed.sql.ts columns) as a Transaction. */
export function transactionOfRow(r: Record<string, unknown>): TransactionView {
  return {
    id: r.id as string,
    source: r.source as TransactionSource,
    direction: r.direction as TransactionDirection,
    amount: money(BigInt(r.amount as string), r.currency as string),
    description: r.description as string,
    category: r.category as SpendingCategory,
    occurredOn: r.occurred_on as string,
    pending: r.pending as boolean,
    createdAt: r.created_at as Date,
    jarId: (r.jar_id as string | null) ?? null,
    accountId: (r.account_id as string | null) ?? null,
    cardPaymentId: (r.card_payment_id as string | null) ?? null,
    transferId: (r.transfer_id as string | null) ?? null,
    counterparty: (r.counterparty as string | null) ?? null,
    linkedAccountId: (r.linked_account_id as string | null) ?? null,
    at: r.at as Date,
  };
}
