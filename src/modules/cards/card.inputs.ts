import { Length, Matches, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MinorUnitsScalar } from '../../graphql/scalars.js';
import { CardKind } from './card.entity.js';
import { SpendingCategory } from './mcc.rules.js';

@InputType({ description: "A card on one of the caller's open accounts." })
export class IssueCardInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => CardKind)
  kind!: CardKind;

  @Field(() => String, { nullable: true })
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

  @Field(() => MinorUnitsScalar, { nullable: true })
  monthlyLimitMinor?: bigint | null;

  @Field(() => Boolean, { nullable: true })
  clearMonthlyLimit?: boolean | null;
}

@InputType({ description: 'Sent by the card network (OPERATOR role), like recordDeposit. The same idempotencyKey returns the first result.' })
export class RecordCardPaymentInput {
  @Field(() => ID)
  cardId!: string;

  @Field(() => String)
  @MaxLength(200, { message: 'must be 1 to 200 characters' })
  merchant!: string;

  @Field(() => String, { description: 'Four ASCII digits (ISO 18245).' })
  @MaxLength(16, { message: 'must be four digits' })
  merchantCategoryCode!: string;

  @Field(() => MinorUnitsScalar, { description: 'Greater than zero and at most 1000000000000000 (10^15) minor units.' })
  amountMinor!: bigint;

  @Field(() => String)
  currency!: string;

  @Field(() => String)
  @Length(1, 255, { message: 'must be 1 to 255 characters' })
  @Matches(/\S/, { message: 'must not be blank' })
  idempotencyKey!: string;
}

@ArgsType()
export class CardPaymentsArgs {
  @Field(() => ID, { nullable: true })
  accountId?: string | null;

  @Field(() => SpendingCategory, { nullable: true })
  category?: SpendingCategory | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM (UTC).' })
  month?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 20 })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}
