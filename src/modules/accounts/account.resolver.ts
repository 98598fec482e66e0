import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { requireAuth } from '../../graphql/context.js';
import { Money, money } from '../../shared/money.js';
import { Account } from './account.entity.js';
import { OpenAccountInput } from './account.inputs.js';

@Resolver(() => Account)
export class AccountResolver {
  @Authorized()
  @Query(() => [Account])
  accounts(@Ctx() ctx: GraphQLContext): Promise<Account[]> {
    return ctx.services.accounts.list(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => Account)
  account(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Account> {
    return ctx.services.accounts.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Account)
  openAccount(@Arg('input', () => OpenAccountInput) input: OpenAccountInput, @Ctx() ctx: GraphQLContext): Promise<Account> {
    return ctx.services.accounts.open(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => Account)
  renameAccount(@Arg('id', () => ID) id: string, @Arg('name', () => String) name: string, @Ctx() ctx: GraphQLContext): Promise<Account> {
    return ctx.services.accounts.rename(requireAuth(ctx), id, name);
  }

  @Authorized()
  @Mutation(() => Account, { description: 'Only at zero balance (ACCOUNT_NOT_EMPTY otherwise).' })
  closeAccount(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Account> {
    return ctx.services.accounts.close(requireAuth(ctx), id);
  }

  @FieldResolver(() => Money)
  balance(@Root() account: Account): Money {
    return money(account.balance, account.currency);
  }
}
