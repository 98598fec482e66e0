import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { LinkedAccountEventPayload } from '../../pubsub/topics.js';
import type { Page } from '../../shared/pagination.js';
import { TransactionConnection, TransactionView } from '../transactions/transaction.types.js';
import { linkedAccountView } from './linking.events.js';
import { CompleteAccountLinkInput, StartAccountLinkInput } from './linking.inputs.js';
import { InstitutionView, LinkedAccountEventView, LinkedAccountView, LinkSessionView, SyncResultView } from './linking.types.js';
import type { LinkedAccountEventKind } from './linking.enums.js';

@Resolver(() => LinkedAccountView)
export class LinkingResolver {
  @Authorized()
  @Query(() => [InstitutionView], { description: 'Banks the aggregator can link, by name.' })
  institutions(
    @Arg('search', () => String, { nullable: true, description: 'Part of the name, ignoring case.' }) search: string | null,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.linking.institutions(search);
  }

  @Authorized()
  @Query(() => [LinkedAccountView], { description: "The caller's linked accounts, unlinked ones included, oldest first." })
  linkedAccounts(@Ctx() ctx: GraphQLContext): Promise<LinkedAccountView[]> {
    return ctx.services.linking.list(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => LinkedAccountView, { description: "One of the caller's linked accounts; NOT_FOUND for another user's." })
  linkedAccount(@Arg('id', () => ID, { description: 'The linked account id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<LinkedAccountView> {
    return ctx.services.linking.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => LinkSessionView, { description: "Starts a link (or a relink): the client opens linkUrl, the aggregator's consent page." })
  startAccountLink(
    @Arg('input', () => StartAccountLinkInput, { description: 'The institution, or the account to relink.' }) input: StartAccountLinkInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.linking.start(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => [LinkedAccountView], { description: "Exchanges the consent page's public token: the institution's accounts, linked and synced once." })
  completeAccountLink(
    @Arg('input', () => CompleteAccountLinkInput, { description: 'The session and its public token.' }) input: CompleteAccountLinkInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return ctx.services.linking.complete(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => SyncResultView, { description: 'Asks the aggregator for what changed now, instead of waiting for its webhook or the schedule.' })
  syncLinkedAccount(@Arg('id', () => ID, { description: 'The linked account id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<SyncResultView> {
    return ctx.services.linking.syncNow(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => LinkedAccountView, { description: 'Stops syncing it and tells the aggregator; its transactions stay unless deleteTransactions.' })
  unlinkAccount(
    @Arg('id', () => ID, { description: 'The linked account id.' }) id: string,
    @Arg('deleteTransactions', () => Boolean, { nullable: true, defaultValue: false, description: "Also delete the account's transactions." })
    deleteTransactions: boolean | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LinkedAccountView> {
    return ctx.services.linking.unlink(requireAuth(ctx), id, deleteTransactions === true);
  }

  @FieldResolver(() => TransactionConnection, { description: "This account's transactions, newest first." })
  transactions(
    @Root() account: LinkedAccountView,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: 'How many, 1 to 100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Arg('month', () => String, { nullable: true, description: '"YYYY-MM" in the caller\'s time zone.' }) month: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Page<TransactionView>> {
    return ctx.services.transactionFeed.page(requireAuth(ctx), { linkedAccountId: account.id, month }, first, after);
  }

  @Authorized()
  @Subscription(() => LinkedAccountEventView, {
    description: "Syncs and sign-in requests of the caller's linked accounts.",
    subscribe: ({ context }) => context.services.linking.watch(requireAuth(context)),
  })
  linkedAccountEvents(@Root() payload: LinkedAccountEventPayload): LinkedAccountEventView {
    const linkedAccount = linkedAccountView(payload.account);
    return { kind: payload.kind as LinkedAccountEventKind, linkedAccount, sync: payload.sync ? { linkedAccount, ...payload.sync } : null };
  }
}

/** A transaction's linked account, declared here so that transactions, below linking, does not import it. */
@Resolver(() => TransactionView)
export class TransactionLinkedAccountResolver {
  @FieldResolver(() => LinkedAccountView, { nullable: true, description: 'The linked account, for a LINKED transaction.' })
  linkedAccount(@Root() tx: TransactionView, @Ctx() ctx: GraphQLContext): Promise<LinkedAccountView | null> {
    return tx.linkedAccountId ? ctx.services.linking.ofTransaction(requireAuth(ctx), tx.linkedAccountId) : Promise.resolve(null);
  }
}
