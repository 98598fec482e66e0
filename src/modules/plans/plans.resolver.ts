import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { GoalData } from '../../pubsub/topics.js';
import type { Page } from '../../shared/pagination.js';
import { Account } from '../accounts/account.entity.js';
import { DailyPlanInput, GoalInput, GoalsArgs, PlanItemInput, UpdateGoalInput, UpdatePlanItemInput, WeeklyPlanInput } from './plans.inputs.js';
import { DailyPlanView, GoalConnection, GoalView, PlanItemView, WeeklyPlanView } from './plans.types.js';

@Resolver(() => GoalView)
export class GoalResolver {
  @Authorized()
  @Query(() => GoalConnection, { description: "The caller's goals, oldest first; only those with `status` when given." })
  goals(@Args(() => GoalsArgs) args: GoalsArgs, @Ctx() ctx: GraphQLContext): Promise<Page<GoalView>> {
    return ctx.services.goals.list(requireAuth(ctx), args);
  }

  @Authorized()
  @Query(() => GoalView, { description: "One of the caller's goals; NOT_FOUND for another user's id." })
  goal(@Arg('id', () => ID, { description: 'The goal id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<GoalView> {
    return ctx.services.goals.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => GoalView, {
    description: 'A new ACTIVE goal. CURRENCY_MISMATCH when the account is not in the target currency; NOT_FOUND for an account not the caller’s.',
  })
  createGoal(@Arg('input', () => GoalInput, { description: 'The goal.' }) input: GoalInput, @Ctx() ctx: GraphQLContext): Promise<GoalView> {
    return ctx.services.goals.create(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => GoalView, {
    description:
      "Changes the fields given; a savings goal whose account already holds the new target becomes ACHIEVED. NOT_FOUND for a goal or account not the caller's; CURRENCY_MISMATCH for an account in another currency than the goal; BAD_USER_INPUT for a field out of bounds.",
  })
  updateGoal(
    @Arg('id', () => ID, { description: 'The goal id.' }) id: string,
    @Arg('input', () => UpdateGoalInput, { description: 'The changes.' }) input: UpdateGoalInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GoalView> {
    return ctx.services.goals.update(requireAuth(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Deletes the goal; plan items linked to it keep going without a goal. Always true (NOT_FOUND otherwise).' })
  deleteGoal(@Arg('id', () => ID, { description: 'The goal id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.goals.delete(requireAuth(ctx), id);
  }

  @Subscription(() => GoalView, {
    description: "Each of the caller's savings goals as it becomes ACHIEVED: once per goal, after the transfer that reached the target commits.",
    subscribe: ({ context }) => (context as GraphQLContext).services.goals.watchAchieved(requireAuth(context as GraphQLContext)),
  })
  goalAchieved(@Root() payload: GoalData, @Ctx() ctx: GraphQLContext): GoalView {
    return ctx.services.goals.viewOfData(payload);
  }

  @FieldResolver(() => Account, { nullable: true, description: 'The linked account whose balance is the progress; null when none.' })
  account(@Root() goal: GoalView, @Ctx() ctx: GraphQLContext): Promise<Account | null> {
    return ctx.services.goals.account(requireAuth(ctx), goal);
  }
}

@Resolver(() => PlanItemView)
export class PlanResolver {
  @Authorized()
  @Query(() => DailyPlanView, { nullable: true, description: "The caller's plan for a day ('YYYY-MM-DD'); null when that day was never planned." })
  dailyPlan(
    @Arg('date', () => String, { description: "'YYYY-MM-DD' in the user's time zone." }) date: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DailyPlanView | null> {
    return ctx.services.plans.day(requireAuth(ctx), date);
  }

  @Authorized()
  @Query(() => WeeklyPlanView, { nullable: true, description: 'The week starting on that Monday, with its seven days; null when the week was never saved.' })
  weeklyPlan(
    @Arg('weekStart', () => String, { description: "A Monday 'YYYY-MM-DD'; another weekday is BAD_USER_INPUT naming that week's Monday." }) weekStart: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WeeklyPlanView | null> {
    return ctx.services.plans.week(requireAuth(ctx), weekStart);
  }

  @Authorized()
  @Mutation(() => WeeklyPlanView, {
    description: "Creates or updates the week's plan (and its seven days). BAD_USER_INPUT when weekStart is not a Monday or a field is out of bounds.",
  })
  saveWeeklyPlan(
    @Arg('input', () => WeeklyPlanInput, { description: 'The week.' }) input: WeeklyPlanInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WeeklyPlanView> {
    return ctx.services.plans.saveWeek(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => DailyPlanView, { description: "Creates or updates the day's plan. BAD_USER_INPUT for a bad date or a field out of bounds." })
  saveDailyPlan(@Arg('input', () => DailyPlanInput, { description: 'The day.' }) input: DailyPlanInput, @Ctx() ctx: GraphQLContext): Promise<DailyPlanView> {
    return ctx.services.plans.saveDay(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => PlanItemView, { description: 'Appends an item to the end of its day. NOT_FOUND for a goal not the caller’s.' })
  addPlanItem(@Arg('input', () => PlanItemInput, { description: 'The item.' }) input: PlanItemInput, @Ctx() ctx: GraphQLContext): Promise<PlanItemView> {
    return ctx.services.plans.addItem(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => PlanItemView, {
    description:
      "Changes the fields given (status included); a new date moves the item to the end of that day. NOT_FOUND for an item or goal not the caller's; BAD_USER_INPUT for goalId with clearGoal, a bad date or time, or a field out of bounds.",
  })
  updatePlanItem(
    @Arg('id', () => ID, { description: 'The item id.' }) id: string,
    @Arg('input', () => UpdatePlanItemInput, { description: 'The changes.' }) input: UpdatePlanItemInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PlanItemView> {
    return ctx.services.plans.updateItem(requireAuth(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => DailyPlanView, { description: 'Moves the item to position (0-based) in its day; the others shift. BAD_USER_INPUT outside 0..n-1.' })
  movePlanItem(
    @Arg('id', () => ID, { description: 'The item id.' }) id: string,
    @Arg('position', () => Int, { description: 'The new 0-based position, from 0 to the number of items in the day minus one.' }) position: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DailyPlanView> {
    return ctx.services.plans.moveItem(requireAuth(ctx), id, position);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Deletes the item; the items after it move up. Always true (NOT_FOUND otherwise).' })
  deletePlanItem(@Arg('id', () => ID, { description: 'The item id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.plans.deleteItem(requireAuth(ctx), id);
  }

  @FieldResolver(() => GoalView, { nullable: true, description: 'The goal this item serves; null when none.' })
  goal(@Root() item: PlanItemView, @Ctx() ctx: GraphQLContext): Promise<GoalView | null> {
    return ctx.services.plans.itemGoal(requireAuth(ctx), item);
  }
}
