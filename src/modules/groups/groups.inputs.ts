import { ArrayMaxSize, Length, MaxLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MinorUnitsScalar } from '../../shared/scalars.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { SplitMode } from './group-expense.entity.js';

const NAME = { message: 'must be 1 to 100 characters' };
const DESCRIPTION = { message: 'must be 1 to 200 characters' };
const MAX_LINES = 100;
const LINES = { message: `must list at most ${MAX_LINES} members` };

@InputType('CreateGroupInput', { description: 'A new group; the caller is its OWNER.' })
export class CreateGroupInput {
  @Field(() => String, { description: '1 to 100 characters.' })
  @Length(1, 100, NAME)
  name!: string;

  @Field(() => String, { description: 'ISO 4217 code: every expense and settlement is in it.' })
  currency!: string;
}

@InputType('ExpensePayerInput', { description: 'A member who paid part of an expense.' })
export class ExpensePayerInput {
  @Field(() => ID, { description: 'A current member (NOT_A_MEMBER otherwise).' })
  userId!: string;

  @Field(() => MinorUnitsScalar, { description: 'What they paid, greater than zero.' })
  amountMinor!: bigint;
}

@InputType('ExpenseShareInput', { description: "A member's share." })
export class ExpenseShareInput {
  @Field(() => ID, { description: 'A current member (NOT_A_MEMBER otherwise).' })
  userId!: string;

  @Field(() => MinorUnitsScalar, { nullable: true, description: 'EXACT: minor units; PERCENT: basis points; SHARES: parts; EQUAL: leave out.' })
  value?: bigint | null;
}

@InputType('GroupExpenseInput', { description: 'A new expense. SPLIT_MISMATCH when payers or shares do not add up.' })
export class GroupExpenseInput {
  @Field(() => ID, { description: "One of the caller's groups." })
  groupId!: string;

  @Field(() => String, { description: '1 to 200 characters.' })
  @Length(1, 200, DESCRIPTION)
  description!: string;

  @Field(() => MinorUnitsScalar, { description: 'The whole expense in the group currency, greater than zero.' })
  amountMinor!: bigint;

  @Field(() => SpendingCategory, { nullable: true, defaultValue: SpendingCategory.OTHER, description: 'What it was for.' })
  category?: SpendingCategory | null;

  @Field(() => String, { description: "The day, 'YYYY-MM-DD'." })
  occurredOn!: string;

  @Field(() => [ExpensePayerInput], { nullable: true, description: 'Left out: the caller paid all of it.' })
  @ArrayMaxSize(MAX_LINES, LINES)
  @ValidateNested({ each: true })
  paidBy?: ExpensePayerInput[] | null;

  @Field(() => SplitMode, { description: 'How it is split.' })
  splitMode!: SplitMode;

  @Field(() => [ExpenseShareInput], { nullable: true, description: 'Left out with EQUAL: every member, in the order they joined.' })
  @ArrayMaxSize(MAX_LINES, LINES)
  @ValidateNested({ each: true })
  shares?: ExpenseShareInput[] | null;

  @Field(() => String, { nullable: true, description: 'Idempotency: the same key and the same expense return the first result.' })
  @MaxLength(255, { message: 'must be at most 255 characters' })
  clientRequestId?: string | null;
}

@InputType('UpdateGroupExpenseInput', { description: 'The fields to change; the others stay. Shares left out are recomputed for a new amount.' })
export class UpdateGroupExpenseInput {
  @Field(() => String, { nullable: true, description: '1 to 200 characters.' })
  @Length(1, 200, DESCRIPTION)
  description?: string | null;

  @Field(() => MinorUnitsScalar, { nullable: true, description: 'The new amount.' })
  amountMinor?: bigint | null;

  @Field(() => SpendingCategory, { nullable: true, description: 'What it was for.' })
  category?: SpendingCategory | null;

  @Field(() => String, { nullable: true, description: "The day, 'YYYY-MM-DD'." })
  occurredOn?: string | null;

  @Field(() => [ExpensePayerInput], { nullable: true, description: 'The payers; left out, they stay (a single payer pays a new amount).' })
  @ArrayMaxSize(MAX_LINES, LINES)
  @ValidateNested({ each: true })
  paidBy?: ExpensePayerInput[] | null;

  @Field(() => SplitMode, { nullable: true, description: 'How it is split.' })
  splitMode?: SplitMode | null;

  @Field(() => [ExpenseShareInput], { nullable: true, description: 'The shares; left out, the same members and weights.' })
  @ArrayMaxSize(MAX_LINES, LINES)
  @ValidateNested({ each: true })
  shares?: ExpenseShareInput[] | null;

  @Field(() => Int, { description: 'The version the caller saw; a stale one is refused (CONFLICT).' })
  expectedVersion!: number;
}

@InputType('SettleUpInput', { description: 'A payment to a member through the ledger.' })
export class SettleUpInput {
  @Field(() => ID, { description: "One of the caller's groups." })
  groupId!: string;

  @Field(() => ID, { description: 'The member paid.' })
  toUserId!: string;

  @Field(() => MinorUnitsScalar, { description: 'Greater than zero, in the group currency.' })
  amountMinor!: bigint;

  @Field(() => ID, { description: "One of the caller's open accounts in the group currency." })
  fromAccountId!: string;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "A cursor from this connection's pageInfo.endCursor." })
  after?: string | null;
}
