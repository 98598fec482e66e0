import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { AccountActivityPayload } from '../../pubsub/topics.js';
import type { Page } from '../../shared/pagination.js';
import { Account } from '../accounts/account.entity.js';
import type { AccountView } from '../accounts/account.types.js';
import { TransferView } from './transfer.types.js';
import { LedgerEntryConnection, LedgerEntryView, Statement } from './ledger.types.js';

/** An account's history: its entry pages and monthly statements. */
@Resolver(() => Account)
export class AccountLedgerResolver {
  @FieldResolver(() => LedgerEntryConnection, { description: "The account's ledger entries, newest first (Relay connection)." })
  entries(
    @Root() account: AccountView,
    @Arg('first', () => Int, { description: 'Page size, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { description: "Opaque cursor from a previous page's pageInfo.endCursor; BAD_USER_INPUT if it is not one.", nullable: true })
    after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Page<LedgerEntryView>> {
    return ctx.services.ledger.entries(requireAuth(ctx), account, first, after);
  }

  @FieldResolver(() => Statement, { description: 'month is YYYY-MM, from 1970-01 to 9998-12' })
  statement(
    @Root() account: AccountView,
    @Arg('month', () => String, { description: 'The calendar month (UTC) to summarise, as YYYY-MM; BAD_USER_INPUT for any other format.' }) month: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Statement> {
    return ctx.services.ledger.statement(requireAuth(ctx), account, month);
  }
}

@Resolver(() => LedgerEntryView)
export class LedgerEntryResolver {
  /** Subscription payloads carry their transfer; a page's entries load theirs, batched. */
  @FieldResolver(() => TransferView, { description: 'The transfer that posted this entry.' })
  transfer(@Root() entry: LedgerEntryView, @Ctx() ctx: GraphQLContext): Promise<TransferView> {
    return entry.transfer ? Promise.resolve(entry.transfer) : ctx.services.transferQueries.forEntry(requireAuth(ctx), entry.transferId);
  }

  @Authorized()
  @Subscription(() => LedgerEntryView, {
    description: "Every ledger entry posted on the caller's accounts (one account when accountId is given).",
    subscribe: ({ args, context }) =>
      (context as GraphQLContext).services.ledger.watchActivity(requireAuth(context as GraphQLContext), args.accountId as string | null),
  })
  accountActivity(
    @Arg('accountId', () => ID, {
      description: "Only this account; NOT_FOUND when it is not the caller's. Null for all the caller's accounts.",
      nullable: true,
    })
    _accountId: string | null,
    @Root() payload: AccountActivityPayload,
    @Ctx() ctx: GraphQLContext,
  ): LedgerEntryView {
    return ctx.services.ledger.activityView(payload);
  }
}

@Resolver(() => Statement)
export class StatementResolver {
  @FieldResolver(() => LedgerEntryConnection, { description: "The month's ledger entries (Relay connection)." })
  entries(
    @Root() statement: Statement,
    @Arg('first', () => Int, { description: 'Page size, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true, defaultValue: 50 }) first: number | null,
    @Arg('after', () => String, { description: "Opaque cursor from a previous page's pageInfo.endCursor.", nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Page<LedgerEntryView>> {
    return ctx.services.ledger.statementEntries(requireAuth(ctx), statement, first, after);
  }
}
