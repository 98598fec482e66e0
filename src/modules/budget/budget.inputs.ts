import { ArrayMaxSize, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { MinorUnitsScalar } from '../../shared/scalars.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { FeeCadence } from './fee.entity.js';

const CATEGORY_COUNT = Object.keys(SpendingCategory).length;

@InputType({ description: 'Income per month and the budget currency.' })
export class SetMonthlyIncomeInput {
  @Field(() => MinorUnitsScalar, { description: 'Income per month in minor units; 0 to 10^15.' })
  amountMinor!: bigint;

  @Field(() => String, { description: 'ISO 4217 code. Changing it while fees exist in the old currency is CURRENCY_MISMATCH.' })
  @MaxLength(8, { message: 'must be an ISO 4217 code' })
  currency!: string;
}

@InputType({ description: 'A new jar. JAR_NAME_TAKEN, CATEGORY_TAKEN or BUDGET_OVER_ALLOCATED when it does not fit the other jars.' })
export class JarInput {
  @Field(() => String, { description: "1 to 100 characters; unique among the caller's unarchived jars ignoring case." })
  @MaxLength(200, { message: 'must be 1 to 100 characters' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'At most 500 characters; blank means none.' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  description?: string | null;

  @Field(() => Int, { description: 'Share of the monthly income in basis points (0 to 10000); all unarchived jars together at most 10000.' })
  allocationBasisPoints!: number;

  @Field(() => [SpendingCategory], { nullable: true, description: 'Categories whose card payments land here; each in at most one jar. Default none.' })
  @ArrayMaxSize(CATEGORY_COUNT, { message: `must have at most ${CATEGORY_COUNT} categories` })
  categories?: SpendingCategory[] | null;
}

@InputType({ description: 'Only the fields given change; the same rules as JarInput apply. An archived jar cannot change (BAD_USER_INPUT).' })
export class UpdateJarInput {
  @Field(() => String, { nullable: true, description: '1 to 100 characters; JAR_NAME_TAKEN when another jar has it ignoring case.' })
  @MaxLength(200, { message: 'must be 1 to 100 characters' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 500 characters; blank removes it.' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  description?: string | null;

  @Field(() => Int, { nullable: true, description: 'New share in basis points; BUDGET_OVER_ALLOCATED when the jars would exceed 10000.' })
  allocationBasisPoints?: number | null;

  @Field(() => [SpendingCategory], { nullable: true, description: 'Replaces the categories; CATEGORY_TAKEN when one is in another jar.' })
  @ArrayMaxSize(CATEGORY_COUNT, { message: `must have at most ${CATEGORY_COUNT} categories` })
  categories?: SpendingCategory[] | null;
}

@InputType({ description: 'A recurring cost, in the budget currency (else CURRENCY_MISMATCH).' })
export class FeeInput {
  @Field(() => String, { description: '1 to 100 characters.' })
  @MaxLength(200, { message: 'must be 1 to 100 characters' })
  name!: string;

  @Field(() => MinorUnitsScalar, { description: 'Each occurrence, in minor units: greater than zero, at most 10^15.' })
  amountMinor!: bigint;

  @Field(() => String, { description: 'ISO 4217 code; must be the budget currency.' })
  @MaxLength(8, { message: 'must be an ISO 4217 code' })
  currency!: string;

  @Field(() => FeeCadence, { description: 'How often it is due.' })
  cadence!: FeeCadence;

  @Field(() => String, { description: '"YYYY-MM-DD" in the caller\'s time zone; its day of month is kept for MONTHLY and YEARLY fees.' })
  @MaxLength(16, { message: 'must be "YYYY-MM-DD"' })
  nextDueOn!: string;

  @Field(() => ID, { nullable: true, description: "One of the caller's jars the fee is paid from; NOT_FOUND otherwise." })
  jarId?: string | null;
}

@InputType({ description: 'Only the fields given change; clearJar removes the jar.' })
export class UpdateFeeInput {
  @Field(() => String, { nullable: true, description: '1 to 100 characters.' })
  @MaxLength(200, { message: 'must be 1 to 100 characters' })
  name?: string | null;

  @Field(() => MinorUnitsScalar, { nullable: true, description: "Greater than zero, at most 10^15 minor units, in the fee's currency." })
  amountMinor?: bigint | null;

  @Field(() => FeeCadence, { nullable: true, description: 'How often it is due.' })
  cadence?: FeeCadence | null;

  @Field(() => String, { nullable: true, description: '"YYYY-MM-DD" in the caller\'s time zone.' })
  @MaxLength(16, { message: 'must be "YYYY-MM-DD"' })
  nextDueOn?: string | null;

  @Field(() => ID, { nullable: true, description: "One of the caller's jars; NOT_FOUND otherwise." })
  jarId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'True removes the jar; not together with jarId.' })
  clearJar?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'False keeps the fee but leaves it out of upcoming fees.' })
  active?: boolean | null;
}
