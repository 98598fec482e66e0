import { Length, Matches, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MinorUnitsScalar } from '../../shared/scalars.js';
import { CardKind } from './card.entity.js';
import { SpendingCategory } from './mcc.rules.js';

@InputType({ description: "A card on one of the caller's open accounts." })
export class IssueCardInput {
  @Field(() => ID, { description: "One of the caller's open accounts (NOT_FOUND otherwise)." })
  accountId!: string;

  @Field(() => CardKind, { description: 'PHYSICAL or VIRTUAL.' })
  kind!: CardKind;

  @Field(() => String, { description: "The user's name for the card, at most 100 characters; null for none.", nullable: true })
  @MaxLength(100, { message: 'must be at most 100 characters' })
  label?: string | null;

  @Field(() => MinorUnitsScalar, { nullable: true, description: "Spending allowed per calendar month (UTC), in the account's currency." })
  monthlyLimitMinor?: bigint | null;
}

@InputType({ description: 'Only the fields given change; clearMonthlyLimit removes the limit.' })
export class UpdateCardInput {
  @Field(() => String, { nullable: true, description: 'A blank label removes it.' })
  @MaxLength(100, { message: 'must be at most 100 characters' })
  label?: string | null;

  @Field(() => MinorUnitsScalar, {
    description: "New monthly limit in minor units of the account's currency, greater than zero; omit to keep the current one.",
    nullable: true,
  })
  monthlyLimitMinor?: bigint | null;

  @Field(() => Boolean, { description: 'True to remove the monthly limit.', nullable: true })
  clearMonthlyLimit?: boolean | null;
}

@InputType({ description: 'Sent by the card network (OPERATOR role), like recordDeposit. The same idempotencyKey returns the first result.' })
export class RecordCardPaymentInput {
  @Field(() => ID, { description: "The card charged (any user's); NOT_FOUND when it does not exist." })
  cardId!: string;

  @Field(() => String, { description: 'Merchant name, 1 to 200 characters.' })
  @MaxLength(200, { message: 'must be 1 to 200 characters' })
  merchant!: string;

  @Field(() => String, { description: 'Four ASCII digits (ISO 18245).' })
  @MaxLength(16, { message: 'must be four digits' })
  merchantCategoryCode!: string;

  @Field(() => MinorUnitsScalar, { description: 'Greater than zero and at most 1000000000000000 (10^15) minor units.' })
  amountMinor!: bigint;

  @Field(() => String, { description: "ISO 4217 code of the charge; a different currency from the account's is declined (CURRENCY_MISMATCH)." })
  currency!: string;

  @Field(() => String, { description: '1 to 255 characters, unique per operator.' })
  @Length(1, 255, { message: 'must be 1 to 255 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  idempotencyKey!: string;
}

@ArgsType()
export class CardPaymentsArgs {
  @Field(() => ID, { description: "Only this account's payments; NOT_FOUND when it is not the caller's.", nullable: true })
  accountId?: string | null;

  @Field(() => SpendingCategory, { description: 'Only payments in this category.', nullable: true })
  category?: SpendingCategory | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM (UTC).' })
  month?: string | null;

  @Field(() => Int, { description: 'Page size, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true, defaultValue: 20 })
  first?: number | null;

  @Field(() => String, { description: "Opaque cursor from a previous page's pageInfo.endCursor.", nullable: true })
  after?: string | null;
}
