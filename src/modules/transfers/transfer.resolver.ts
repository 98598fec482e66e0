import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { requireAuth } from '../../graphql/context.js';
import type { Page } from '../../shared/pagination.js';
import { Account } from '../accounts/account.entity.js';
import { CreateTransferInput, DepositInput, TransfersArgs } from './transfer.inputs.js';
import { TransferConnection, TransferView } from './transfer.types.js';

@Resolver(() => TransferView)
export class TransferResolver {
  @Authorized()
  @Query(() => TransferView)
  transfer(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<TransferView> {
    return ctx.services.transfers.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Query(() => TransferConnection)
  transfers(@Args(() => TransfersArgs) args: TransfersArgs, @Ctx() ctx: GraphQLContext): Promise<Page<TransferView>> {
    return ctx.services.transfers.list(requireAuth(ctx), args);
  }

  @Authorized()
  @Mutation(() => TransferView)
  createTransfer(@Arg('input', () => CreateTransferInput) input: CreateTransferInput, @Ctx() ctx: GraphQLContext): Promise<TransferView> {
    return ctx.services.transfers.create(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => TransferView, {
    description: 'Posts a PENDING_CONFIRMATION transfer, e.g. one the assistant proposed. Checks run again at confirmation.',
  })
  confirmTransfer(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<TransferView> {
    return ctx.services.transfers.confirm(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => TransferView)
  cancelTransfer(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<TransferView> {
    return ctx.services.transfers.cancel(requireAuth(ctx), id);
  }

  @Authorized('OPERATOR')
  @Mutation(() => TransferView, { description: 'OPERATOR role only: money entering from outside the bank.' })
  recordDeposit(@Arg('input', () => DepositInput) input: DepositInput, @Ctx() ctx: GraphQLContext): Promise<TransferView> {
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
