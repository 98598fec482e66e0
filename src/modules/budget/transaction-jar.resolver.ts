import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { Page } from '../../shared/pagination.js';
import { TransactionConnection, TransactionView } from '../transactions/transaction.types.js';
import { JarMonthView, JarView, SpendingInsightsView } from './budget.types.js';

const FIRST = (fallback: number) => ({ nullable: true, defaultValue: fallback, description: `How many, 1 to 100 (default ${fallback}).` });

@Resolver(() => TransactionView)
export class TransactionJarResolver {
  @Authorized()
  @Mutation(() => TransactionView, { description: "Moves any transaction to a jar (jarId null: back to its category's jar). The ledger is not touched." })
  assignTransactionToJar(
    @Arg('id', () => ID, { description: "One of the caller's transactions (spending)." }) id: string,
    @Arg('jarId', () => ID, { nullable: true, description: "One of the caller's unarchived jars; null moves it back to its category's jar." })
    jarId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransactionView> {
    return ctx.services.transactionJars.assign(requireAuth(ctx), id, jarId);
  }

  @FieldResolver(() => JarView, { nullable: true, description: "The jar this counts against: the category's jar, or the one the user moved it to." })
  jar(@Root() tx: TransactionView, @Ctx() ctx: GraphQLContext): Promise<JarView | null> {
    return ctx.services.transactionJars.jarOf(tx);
  }
}

@Resolver(() => JarMonthView)
export class JarMonthTransactionsResolver {
  @FieldResolver(() => TransactionConnection, { description: 'Every transaction counted in the jar that month, whatever its source, newest first.' })
  transactions(
    @Root() month: JarMonthView,
    @Arg('first', () => Int, FIRST(20)) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Page<TransactionView>> {
    return ctx.services.transactionJars.monthTransactions(requireAuth(ctx), month, first, after);
  }
}

@Resolver(() => SpendingInsightsView)
export class InsightsTransactionsResolver {
  @FieldResolver(() => [TransactionView], { description: 'The largest spendings of the month from every source, largest first.' })
  largestTransactions(
    @Root() insights: SpendingInsightsView,
    @Arg('first', () => Int, FIRST(5)) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransactionView[]> {
    return ctx.services.insights.largestTransactions(insights, first);
  }
}
