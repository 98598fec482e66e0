import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { Page } from '../../shared/pagination.js';
import { Account } from '../accounts/account.entity.js';
import { CardPaymentView } from '../cards/card.types.js';
import { TransferView } from '../transfers/transfer.types.js';
import { CategorizeTransactionInput, ManualTransactionInput, TransactionFilter, UpdateManualTransactionInput } from './transaction.inputs.js';
import { TransactionConnection, TransactionView } from './transaction.types.js';

@Resolver(() => TransactionView)
export class TransactionResolver {
  @Authorized()
  @Query(() => TransactionConnection, {
    description: "The one feed of the caller's transactions, every source, newest first; pages in a fixed number of SQL statements.",
  })
  transactions(
    @Arg('filter', () => TransactionFilter, { nullable: true, description: 'Every field given must hold.' }) filter: TransactionFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: 'How many, 1 to 100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Page<TransactionView>> {
    return ctx.services.transactionFeed.page(requireAuth(ctx), filter, first, after);
  }

  @Authorized()
  @Query(() => TransactionView, { description: "One of the caller's transactions; NOT_FOUND for another user's." })
  transaction(@Arg('id', () => ID, { description: 'The transaction id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<TransactionView> {
    return ctx.services.transactionFeed.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => TransactionView, { description: 'Cash or a payment the gateway cannot see; CURRENCY_MISMATCH unless in the budget currency.' })
  recordManualTransaction(
    @Arg('input', () => ManualTransactionInput, { description: 'The transaction.' }) input: ManualTransactionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransactionView> {
    return ctx.services.manualTransactions.record(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => TransactionView, { description: 'Changes a MANUAL transaction (BAD_USER_INPUT for another source).' })
  updateManualTransaction(
    @Arg('id', () => ID, { description: 'The manual transaction id.' }) id: string,
    @Arg('input', () => UpdateManualTransactionInput, { description: 'The fields to change; the others stay.' }) input: UpdateManualTransactionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransactionView> {
    return ctx.services.manualTransactions.update(requireAuth(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Deletes a MANUAL transaction (BAD_USER_INPUT for another source); true when deleted.' })
  deleteManualTransaction(@Arg('id', () => ID, { description: 'The manual transaction id.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.manualTransactions.delete(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => TransactionView, { description: "Any source but CARD (a card payment's category is the merchant's; move it to a jar instead)." })
  categorizeTransaction(
    @Arg('id', () => ID, { description: 'The transaction id.' }) id: string,
    @Arg('input', () => CategorizeTransactionInput, { description: 'The category, and whether to remember it for the counterparty.' })
    input: CategorizeTransactionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransactionView> {
    return ctx.services.transactionEdits.categorize(requireAuth(ctx), id, input);
  }

  @FieldResolver(() => Account, { nullable: true, description: "The caller's account a card payment or transfer moved money on; null otherwise." })
  account(@Root() tx: TransactionView, @Ctx() ctx: GraphQLContext): Promise<Account | null> {
    const auth = requireAuth(ctx);
    return tx.accountId ? ctx.services.accounts.visible(auth, tx.accountId, auth.userId) : Promise.resolve(null);
  }

  @FieldResolver(() => CardPaymentView, { nullable: true, description: 'The card payment, for a CARD transaction.' })
  cardPayment(@Root() tx: TransactionView, @Ctx() ctx: GraphQLContext): Promise<CardPaymentView | null> {
    return ctx.services.transactionFeed.cardPayment(tx);
  }

  @FieldResolver(() => TransferView, { nullable: true, description: 'The ledger transfer, for a CARD or TRANSFER transaction.' })
  transfer(@Root() tx: TransactionView, @Ctx() ctx: GraphQLContext): Promise<TransferView | null> {
    return tx.transferId ? ctx.services.transferQueries.forEntry(requireAuth(ctx), tx.transferId) : Promise.resolve(null);
  }
}
