import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MinorUnitsScalar } from '../../shared/scalars.js';
import { GoalHorizon, GoalStatus, Priority } from './goal.entity.js';
import { PlanItemStatus } from './plan.entity.js';

const TITLE = { message: 'must be 1 to 200 characters' };
const TEXT = { message: 'must be at most 2000 characters' };

@InputType('GoalInput', {
  description: 'A new goal. For a savings goal give targetMinor with currency, and optionally accountId (its balance is the progress).',
})
export class GoalInput {
  @Field(() => String, { description: '1 to 200 characters.' })
  @Length(1, 200, TITLE)
  title!: string;

  @Field(() => String, { nullable: true, description: 'At most 2000 characters.' })
  @IsOptional()
  @MaxLength(2000, TEXT)
  description?: string | null;

  @Field(() => GoalHorizon, { description: 'How far ahead the goal looks.' })
  horizon!: GoalHorizon;

  @Field(() => Priority, { nullable: true, defaultValue: Priority.MEDIUM, description: 'MEDIUM when left out.' })
  priority?: Priority | null;

  @Field(() => String, { nullable: true, description: "'YYYY-MM-DD' in the user's time zone." })
  targetDate?: string | null;

  @Field(() => MinorUnitsScalar, {
    nullable: true,
    description: 'Savings target in minor units, greater than zero; needs currency (or accountId, whose currency it takes).',
  })
  targetMinor?: bigint | null;

  @Field(() => String, { nullable: true, description: "ISO 4217 code of the target; must equal the linked account's currency (else CURRENCY_MISMATCH)." })
  currency?: string | null;

  @Field(() => ID, { nullable: true, description: "One of the caller's accounts (else NOT_FOUND); its balance is the progress." })
  accountId?: string | null;
}

@InputType('UpdateGoalInput', { description: 'Only the fields given change.' })
export class UpdateGoalInput {
  @Field(() => String, { nullable: true, description: '1 to 200 characters.' })
  @IsOptional()
  @Length(1, 200, TITLE)
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'A blank description removes it.' })
  @IsOptional()
  @MaxLength(2000, TEXT)
  description?: string | null;

  @Field(() => GoalHorizon, { nullable: true, description: 'A new horizon.' })
  horizon?: GoalHorizon | null;

  @Field(() => GoalStatus, { nullable: true, description: 'E.g. ABANDONED to give the goal up, ACTIVE to take it up again.' })
  status?: GoalStatus | null;

  @Field(() => Priority, { nullable: true, description: 'A new priority.' })
  priority?: Priority | null;

  @Field(() => String, { nullable: true, description: "'YYYY-MM-DD'; a blank string removes it." })
  targetDate?: string | null;

  @Field(() => MinorUnitsScalar, { nullable: true, description: "Greater than zero, in the goal's currency (or the new account's)." })
  targetMinor?: bigint | null;

  @Field(() => ID, { nullable: true, description: "One of the caller's accounts, in the target's currency (else CURRENCY_MISMATCH)." })
  accountId?: string | null;
}

@InputType('WeeklyPlanInput', { description: 'Creates or replaces the week’s summary and focus areas.' })
export class WeeklyPlanInput {
  @Field(() => String, { description: "A Monday, 'YYYY-MM-DD'; another weekday is BAD_USER_INPUT naming that week's Monday." })
  weekStart!: string;

  @Field(() => String, { nullable: true, description: 'At most 2000 characters; blank removes it.' })
  @IsOptional()
  @MaxLength(2000, TEXT)
  summary?: string | null;

  @Field(() => [String], { nullable: true, description: 'At most 10, each 1 to 200 characters; left out keeps the current ones.' })
  @IsOptional()
  @ArrayMaxSize(10, { message: 'must have at most 10 items' })
  @Length(1, 200, { each: true, message: 'each must be 1 to 200 characters' })
  focusAreas?: string[] | null;
}

@InputType('DailyPlanInput', { description: "Creates or updates a day's summary." })
export class DailyPlanInput {
  @Field(() => String, { description: "'YYYY-MM-DD' in the user's time zone." })
  date!: string;

  @Field(() => String, { nullable: true, description: 'At most 2000 characters; blank removes it.' })
  @IsOptional()
  @MaxLength(2000, TEXT)
  summary?: string | null;
}

@InputType('PlanItemInput', { description: "A new item, appended at the end of the day (the day's plan is created if needed)." })
export class PlanItemInput {
  @Field(() => String, { description: "'YYYY-MM-DD' in the user's time zone." })
  date!: string;

  @Field(() => String, { description: '1 to 200 characters.' })
  @Length(1, 200, TITLE)
  title!: string;

  @Field(() => String, { nullable: true, description: 'At most 2000 characters.' })
  @IsOptional()
  @MaxLength(2000, TEXT)
  notes?: string | null;

  @Field(() => Priority, { nullable: true, defaultValue: Priority.MEDIUM, description: 'MEDIUM when left out.' })
  priority?: Priority | null;

  @Field(() => String, { nullable: true, description: "Time of day 'HH:MM' (24-hour)." })
  time?: string | null;

  @Field(() => ID, { nullable: true, description: "One of the caller's goals (else NOT_FOUND)." })
  goalId?: string | null;
}

@InputType('UpdatePlanItemInput', {
  description: 'Only the fields given change. A new date moves the item to the end of that day and closes the gap it leaves.',
})
export class UpdatePlanItemInput {
  @Field(() => String, { nullable: true, description: '1 to 200 characters.' })
  @IsOptional()
  @Length(1, 200, TITLE)
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'A blank string removes them.' })
  @IsOptional()
  @MaxLength(2000, TEXT)
  notes?: string | null;

  @Field(() => PlanItemStatus, { nullable: true, description: 'DONE or SKIPPED to tick the item off, TODO to reopen it.' })
  status?: PlanItemStatus | null;

  @Field(() => Priority, { nullable: true, description: 'A new priority.' })
  priority?: Priority | null;

  @Field(() => String, { nullable: true, description: "'HH:MM'; a blank string removes it." })
  time?: string | null;

  @Field(() => ID, { nullable: true, description: "One of the caller's goals (else NOT_FOUND)." })
  goalId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'True unlinks the item from its goal (give either goalId or clearGoal).' })
  clearGoal?: boolean | null;

  @Field(() => String, { nullable: true, description: "Another day 'YYYY-MM-DD': the item goes to the end of it." })
  date?: string | null;
}

@ArgsType()
export class GoalsArgs {
  @Field(() => GoalStatus, { nullable: true, description: 'Only goals with this status; all when left out.' })
  status?: GoalStatus | null;

  @Field(() => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "A cursor from this connection's pageInfo.endCursor." })
  after?: string | null;
}
