import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { BudgetAlertPayload } from '../../pubsub/topics.js';
import { money } from '../../shared/money.js';
import type { Page } from '../../shared/pagination.js';
import { CardPaymentConnection, CardPaymentView } from '../cards/card.types.js';
import type { SpendingCategory } from '../cards/mcc.rules.js';
import { FeeInput, JarInput, SetMonthlyIncomeInput, UpdateFeeInput, UpdateJarInput } from './budget.inputs.js';
import { BudgetAlertView, BudgetView, FeeView, JarMonthView, JarView, SpendingInsightsView } from './budget.types.js';

const MONTH_ARG = { description: '"YYYY-MM" in the caller\'s time zone (UserPreferences.timeZone); BAD_USER_INPUT otherwise.' };
const FIRST_ARG = (fallback: number) => ({ nullable: true, defaultValue: fallback, description: `How many, 1 to 100 (default ${fallback}).` });

@Resolver(() => BudgetView)
export class BudgetResolver {
  @Authorized()
  @Query(() => BudgetView, { description: "The caller's budget: income, currency and unarchived jars." })
  budget(@Ctx() ctx: GraphQLContext): Promise<BudgetView> {
    return ctx.services.budget.budget(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => [FeeView], { description: "The caller's fees, inactive ones included, oldest first." })
  fees(@Ctx() ctx: GraphQLContext): Promise<FeeView[]> {
    return ctx.services.fees.fees(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => [FeeView], { description: "Active fees due in the month after the current one (caller's time zone), one item per occurrence, by day." })
  upcomingFees(@Ctx() ctx: GraphQLContext): Promise<FeeView[]> {
    return ctx.services.fees.upcomingFees(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => SpendingInsightsView, { description: 'One month of spending in one currency, computed in a fixed number of SQL statements.' })
  spendingInsights(
    @Arg('month', () => String, MONTH_ARG) month: string,
    @Arg('currency', () => String, { description: 'ISO 4217 code, e.g. "USD".' }) currency: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SpendingInsightsView> {
    return ctx.services.insights.spendingInsights(requireAuth(ctx), month, currency);
  }

  @Authorized()
  @Mutation(() => BudgetView, { description: 'Sets the monthly income and the budget currency. CURRENCY_MISMATCH when fees exist in another currency.' })
  setMonthlyIncome(
    @Arg('input', () => SetMonthlyIncomeInput, { description: 'The income per month and its currency.' }) input: SetMonthlyIncomeInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BudgetView> {
    return ctx.services.budget.setMonthlyIncome(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => FeeView, { description: 'A recurring cost in the budget currency (CURRENCY_MISMATCH otherwise).' })
  createFee(@Arg('input', () => FeeInput, { description: 'The new fee.' }) input: FeeInput, @Ctx() ctx: GraphQLContext): Promise<FeeView> {
    return ctx.services.fees.createFee(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => FeeView, { description: "Changes one of the caller's fees; NOT_FOUND for another user's." })
  updateFee(
    @Arg('id', () => ID, { description: 'The fee id.' }) id: string,
    @Arg('input', () => UpdateFeeInput, { description: 'The fields to change; the others stay.' }) input: UpdateFeeInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FeeView> {
    return ctx.services.fees.updateFee(requireAuth(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes one of the caller's fees for good; true when deleted. NOT_FOUND for a fee not the caller's." })
  deleteFee(@Arg('id', () => ID, { description: 'The fee id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.fees.deleteFee(requireAuth(ctx), id);
  }

  @Authorized()
  @Subscription(() => BudgetAlertView, {
    description: "A card payment pushed one of the caller's jars over its allocation: once per jar and month.",
    subscribe: ({ context }) => context.services.budgetAlerts.watchAlerts(requireAuth(context)),
  })
  budgetAlerts(@Root() payload: BudgetAlertPayload): BudgetAlertView {
    return {
      jar: { ...payload.jar, categories: payload.jar.categories as SpendingCategory[], createdAt: new Date(payload.jar.createdAt) },
      month: payload.month,
      allocated: money(BigInt(payload.allocatedMinor), payload.currency),
      spent: money(BigInt(payload.spentMinor), payload.currency),
    };
  }
}

@Resolver(() => JarView)
export class JarResolver {
  @Authorized()
  @Query(() => JarView, { description: "One of the caller's jars, archived ones included; NOT_FOUND for another user's." })
  jar(@Arg('id', () => ID, { description: 'The jar id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<JarView> {
    return ctx.services.budget.jar(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => JarView, { description: 'JAR_NAME_TAKEN, CATEGORY_TAKEN, BUDGET_OVER_ALLOCATED (checked under a lock) when it does not fit.' })
  createJar(@Arg('input', () => JarInput, { description: 'The new jar.' }) input: JarInput, @Ctx() ctx: GraphQLContext): Promise<JarView> {
    return ctx.services.budget.createJar(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => JarView, {
    description:
      "Changes an unarchived jar; the same checks as createJar (JAR_NAME_TAKEN, CATEGORY_TAKEN, BUDGET_OVER_ALLOCATED). NOT_FOUND for a jar not the caller's; BAD_USER_INPUT for an archived jar or a field out of bounds.",
  })
  updateJar(
    @Arg('id', () => ID, { description: 'The jar id.' }) id: string,
    @Arg('input', () => UpdateJarInput, { description: 'The fields to change; the others stay.' }) input: UpdateJarInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<JarView> {
    return ctx.services.budget.updateJar(requireAuth(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => JarView, {
    description: "Frees its allocation, name and categories; payments moved to it stay counted there. NOT_FOUND for a jar not the caller's.",
  })
  archiveJar(@Arg('id', () => ID, { description: 'The jar id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<JarView> {
    return ctx.services.budget.archiveJar(requireAuth(ctx), id);
  }

  @FieldResolver(() => JarMonthView, { description: 'This jar in one month: what it was given, what went out of it, what is left.' })
  month(@Root() jar: JarView, @Arg('month', () => String, MONTH_ARG) month: string, @Ctx() ctx: GraphQLContext): Promise<JarMonthView> {
    return ctx.services.budget.jarMonth(requireAuth(ctx), jar, month);
  }
}

@Resolver(() => JarMonthView)
export class JarMonthResolver {
  @FieldResolver(() => CardPaymentConnection, { description: 'Approved payments counted in the jar that month, newest first.' })
  payments(
    @Root() month: JarMonthView,
    @Arg('first', () => Int, FIRST_ARG(20)) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Page<CardPaymentView>> {
    return ctx.services.paymentJars.jarMonthPayments(requireAuth(ctx), month, first, after);
  }
}

@Resolver(() => FeeView)
export class FeeResolver {
  @FieldResolver(() => JarView, { nullable: true, description: 'The jar the fee is paid from; null when none.' })
  jar(@Root() fee: FeeView, @Ctx() ctx: GraphQLContext): Promise<JarView | null> {
    return ctx.services.fees.feeJar(requireAuth(ctx), fee);
  }
}

@Resolver(() => SpendingInsightsView)
export class SpendingInsightsResolver {
  @FieldResolver(() => [CardPaymentView], { description: 'The largest approved payments of the month, largest first.' })
  largestPayments(
    @Root() insights: SpendingInsightsView,
    @Arg('first', () => Int, FIRST_ARG(5)) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardPaymentView[]> {
    return ctx.services.insights.largestPayments(insights, first);
  }
}

@Resolver(() => CardPaymentView)
export class CardPaymentJarResolver {
  @Authorized()
  @Mutation(() => CardPaymentView, {
    description:
      "Moves one approved payment to another of the caller's unarchived jars (jarId null: back to the category's jar). The ledger is not touched. NOT_FOUND for a payment or jar not the caller's; BAD_USER_INPUT for a payment that was not approved or an archived jar.",
  })
  assignPaymentToJar(
    @Arg('paymentId', () => ID, { description: "One of the caller's approved card payments." }) paymentId: string,
    @Arg('jarId', () => ID, { nullable: true, description: "One of the caller's unarchived jars; null moves the payment back to its category's jar." })
    jarId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardPaymentView> {
    return ctx.services.paymentJars.assignPaymentToJar(requireAuth(ctx), paymentId, jarId);
  }

  @FieldResolver(() => JarView, {
    nullable: true,
    description:
      'The budget jar this spending counts against: the jar whose categories include this category, or the one the user moved it to; null when declined or no jar takes it.',
  })
  jar(@Root() payment: CardPaymentView, @Ctx() ctx: GraphQLContext): Promise<JarView | null> {
    return ctx.services.paymentJars.paymentJar(payment);
  }
}
