import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import type { Page } from '../../shared/pagination.js';
import { Account } from '../accounts/account.entity.js';
import { CreateTransferInput, DepositInput, TransfersArgs } from './transfer.inputs.js';
import { TransferConnection, TransferView } from './transfer.types.js';

@Resolver(() => TransferView)
export class TransferResolver {
  @Authorized()
  @Query(() => TransferView, { description: 'A transfer the caller sent or received.' })
  transfer(
    @Arg('id', () => ID, { description: "The transfer's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferView> {
    return ctx.services.transferQueries.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Query(() => TransferConnection, { description: 'Transfers the caller sent or received, newest first.' })
  transfers(@Args(() => TransfersArgs) args: TransfersArgs, @Ctx() ctx: GraphQLContext): Promise<Page<TransferView>> {
    return ctx.services.transferQueries.list(requireAuth(ctx), args);
  }

  @Authorized()
  @Mutation(() => TransferView, {
    description:
      "Moves money now from one of the caller's accounts to another account: POSTED, or an error and nothing moved (INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, SAME_ACCOUNT, ACCOUNT_CLOSED, BALANCE_LIMIT, IDEMPOTENCY_KEY_REUSED; NOT_FOUND for an account that is not the caller's or does not exist; BAD_USER_INPUT for an amount, currency, description or key out of bounds).",
  })
  createTransfer(
    @Arg('input', () => CreateTransferInput, { description: 'From, to, amount and an idempotency key.' }) input: CreateTransferInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferView> {
    return ctx.services.transfers.create(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => TransferView, {
    description: 'Posts a PENDING_CONFIRMATION transfer, e.g. one the assistant proposed. Checks run again at confirmation.',
  })
  confirmTransfer(
    @Arg('id', () => ID, {
      description:
        "A PENDING_CONFIRMATION transfer's id (TransferProposed.transfer.id); NOT_FOUND when it is not the caller's, TRANSFER_NOT_PENDING when already posted, cancelled or expired.",
    })
    id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferView> {
    return ctx.services.transfers.confirm(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => TransferView, { description: 'Cancels a PENDING_CONFIRMATION transfer (nothing moves); TRANSFER_NOT_PENDING when it is no longer pending.' })
  cancelTransfer(
    @Arg('id', () => ID, { description: "The transfer's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferView> {
    return ctx.services.transfers.cancel(requireAuth(ctx), id);
  }

  @Authorized('OPERATOR')
  @Mutation(() => TransferView, {
    description:
      'OPERATOR role only (FORBIDDEN otherwise): money entering from outside the bank. NOT_FOUND for an unknown account; ACCOUNT_CLOSED, CURRENCY_MISMATCH (not the account currency) or BALANCE_LIMIT, and nothing moves; IDEMPOTENCY_KEY_REUSED for a key sent before with another request; BAD_USER_INPUT for a bad amount or currency.',
  })
  recordDeposit(
    @Arg('input', () => DepositInput, { description: 'Account, amount, currency and idempotency key.' }) input: DepositInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TransferView> {
    return ctx.services.transfers.deposit(requireAuth(ctx), input);
  }

  @FieldResolver(() => Account, { nullable: true, description: "Null when the account is not the caller's." })
  fromAccount(@Root() transfer: TransferView, @Ctx() ctx: GraphQLContext): Promise<Account | null> {
    return ctx.services.accounts.visible(requireAuth(ctx), transfer.fromAccountId, transfer.fromUserId);
  }

  @FieldResolver(() => Account, { nullable: true, description: "Null when the account is not the caller's." })
  toAccount(@Root() transfer: TransferView, @Ctx() ctx: GraphQLContext): Promise<Account | null> {
    return ctx.services.accounts.visible(requireAuth(ctx), transfer.toAccountId, transfer.toUserId);
  }
}
