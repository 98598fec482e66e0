import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import { Money, money } from '../../shared/money.js';
import { Account } from './account.entity.js';
import { OpenAccountInput } from './account.inputs.js';
import type { AccountView } from './account.types.js';

@Resolver(() => Account)
export class AccountResolver {
  @Authorized()
  @Query(() => [Account], { description: "The caller's accounts, open and closed, oldest first." })
  accounts(@Ctx() ctx: GraphQLContext): Promise<AccountView[]> {
    return ctx.services.accounts.list(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => Account, { description: "One of the caller's accounts." })
  account(
    @Arg('id', () => ID, { description: "The account's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Account> {
    return ctx.services.accounts.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Account, {
    description:
      'Opens an account for the caller at zero balance, with a fresh account number. BAD_USER_INPUT for a name out of bounds or a currency that is not an ISO 4217 code.',
  })
  openAccount(
    @Arg('input', () => OpenAccountInput, { description: 'Name and currency.' }) input: OpenAccountInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Account> {
    return ctx.services.accounts.open(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => Account, { description: "Changes the account's name." })
  renameAccount(
    @Arg('id', () => ID, { description: "The account's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Arg('name', () => String, { description: '1 to 100 characters.' }) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Account> {
    return ctx.services.accounts.rename(requireAuth(ctx), id, name);
  }

  @Authorized()
  @Mutation(() => Account, { description: 'Only at zero balance (ACCOUNT_NOT_EMPTY otherwise).' })
  closeAccount(
    @Arg('id', () => ID, { description: "The account's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Account> {
    return ctx.services.accounts.close(requireAuth(ctx), id);
  }

  @FieldResolver(() => Money, { description: "Current balance in the account's currency; never negative." })
  balance(@Root() account: AccountView): Money {
    return money(account.balance, account.currency);
  }
}
