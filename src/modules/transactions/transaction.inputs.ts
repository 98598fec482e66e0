import { MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { MinorUnitsScalar } from '../../shared/scalars.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { TransactionDirection, TransactionSource } from './transaction.enums.js';

@InputType({ description: 'Narrows the feed; every field given must hold.' })
export class TransactionFilter {
  @Field(() => String, { nullable: true, description: '"YYYY-MM" in the caller\'s time zone.' })
  @MaxLength(16, { message: 'must be "YYYY-MM"' })
  month?: string | null;

  @Field(() => TransactionSource, { nullable: true, description: 'Only this source.' })
  source?: TransactionSource | null;

  @Field(() => SpendingCategory, { nullable: true, description: 'Only this category.' })
  category?: SpendingCategory | null;

  @Field(() => ID, { nullable: true, description: "Only card payments and transfers of this one of the caller's accounts." })
  accountId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only transactions read from this linked account.' })
  linkedAccountId?: string | null;

  @Field(() => String, { nullable: true, description: 'Text the description contains, ignoring case; at most 100 characters.' })
  @MaxLength(100, { message: 'must be at most 100 characters' })
  search?: string | null;
}

@InputType({ description: 'Cash or a payment the gateway cannot see, in the budget currency (CURRENCY_MISMATCH otherwise).' })
export class ManualTransactionInput {
  @Field(() => TransactionDirection, { nullable: true, defaultValue: TransactionDirection.OUT, description: 'OUT (spending, the default) or IN.' })
  direction?: TransactionDirection | null;

  @Field(() => MinorUnitsScalar, { description: 'Greater than zero, at most 10^15 minor units.' })
  amountMinor!: bigint;

  @Field(() => String, { description: 'ISO 4217 code; must be the budget currency.' })
  @MaxLength(8, { message: 'must be an ISO 4217 code' })
  currency!: string;

  @Field(() => String, { description: '1 to 200 characters: what it was for, where.' })
  @MaxLength(400, { message: 'must be 1 to 200 characters' })
  description!: string;

  @Field(() => SpendingCategory, { description: 'What it was for.' })
  category!: SpendingCategory;

  @Field(() => String, { description: '"YYYY-MM-DD" in the caller\'s time zone, 1970 to 9998.' })
  @MaxLength(16, { message: 'must be "YYYY-MM-DD"' })
  occurredOn!: string;

  @Field(() => ID, { nullable: true, description: "One of the caller's unarchived jars; default the category's jar." })
  jarId?: string | null;
}

@InputType({ description: 'Only the fields given change; the same rules as ManualTransactionInput.' })
export class UpdateManualTransactionInput {
  @Field(() => MinorUnitsScalar, { nullable: true, description: 'Greater than zero, at most 10^15 minor units.' })
  amountMinor?: bigint | null;

  @Field(() => String, { nullable: true, description: '1 to 200 characters.' })
  @MaxLength(400, { message: 'must be 1 to 200 characters' })
  description?: string | null;

  @Field(() => SpendingCategory, { nullable: true, description: 'What it was for.' })
  category?: SpendingCategory | null;

  @Field(() => String, { nullable: true, description: '"YYYY-MM-DD" in the caller\'s time zone.' })
  @MaxLength(16, { message: 'must be "YYYY-MM-DD"' })
  occurredOn?: string | null;
}

@InputType({ description: 'The category a transaction is counted under.' })
export class CategorizeTransactionInput {
  @Field(() => SpendingCategory, { description: 'The new category.' })
  category!: SpendingCategory;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "Also use this category for later transactions with the same counterparty (a transfer's receiving account, a linked transaction's merchant).",
  })
  rememberForCounterparty?: boolean | null;
}
