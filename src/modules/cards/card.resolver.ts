import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import { Money } from '../../shared/money.js';
import type { Page } from '../../shared/pagination.js';
import { Account } from '../accounts/account.entity.js';
import type { AccountView } from '../accounts/account.types.js';
import { TransferView } from '../transfers/transfer.types.js';
import { Card } from './card.entity.js';
import { CardPaymentsArgs, IssueCardInput, RecordCardPaymentInput, UpdateCardInput } from './card.inputs.js';
import { cardDescription } from './card.rules.js';
import { CardPaymentConnection, CardPaymentView } from './card.types.js';

@Resolver(() => Card)
export class CardResolver {
  @Authorized()
  @Query(() => [Card], { description: "The caller's cards, oldest first; on one account when accountId is given." })
  cards(
    @Arg('accountId', () => ID, { description: "Only this account's cards; NOT_FOUND when it is not the caller's.", nullable: true }) accountId: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Card[]> {
    return ctx.services.cards.list(requireAuth(ctx), accountId);
  }

  @Authorized()
  @Query(() => Card, { description: "One of the caller's cards." })
  card(
    @Arg('id', () => ID, { description: "The card's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Card> {
    return ctx.services.cards.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Card, {
    description:
      "A card on one of the caller's open accounts; expires at the end of the month three years on. NOT_FOUND for an account not the caller's; ACCOUNT_CLOSED for a closed one; BAD_USER_INPUT for a label or limit out of bounds.",
  })
  issueCard(
    @Arg('input', () => IssueCardInput, { description: 'Account, kind, optional label and monthly limit.' }) input: IssueCardInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Card> {
    return ctx.services.cards.issue(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => Card, { description: 'Label and monthly limit. CARD_NOT_ACTIVE for a cancelled card.' })
  updateCard(
    @Arg('id', () => ID, { description: "The card's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Arg('input', () => UpdateCardInput, { description: 'The fields to change.' }) input: UpdateCardInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Card> {
    return ctx.services.cards.update(requireAuth(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Card, { description: 'Payments are declined (CARD_FROZEN) until unfrozen. CARD_NOT_ACTIVE for a cancelled card.' })
  freezeCard(
    @Arg('id', () => ID, { description: "The card's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Card> {
    return ctx.services.cards.freeze(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Card, { description: 'CARD_NOT_ACTIVE for a cancelled card.' })
  unfreezeCard(
    @Arg('id', () => ID, { description: "The card's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Card> {
    return ctx.services.cards.unfreeze(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => Card, { description: "Final. closeAccount cancels the account's cards too." })
  cancelCard(
    @Arg('id', () => ID, { description: "The card's id; NOT_FOUND when it does not exist or is not the caller's." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Card> {
    return ctx.services.cards.cancel(requireAuth(ctx), id);
  }

  @FieldResolver(() => Account, { description: 'The account the card spends from.' })
  account(@Root() card: Card, @Ctx() ctx: GraphQLContext): Promise<Account> {
    return ctx.services.accounts.get(requireAuth(ctx), card.accountId);
  }

  @FieldResolver(() => String, { description: 'Brand-free, e.g. "Virtual card ending 4242".' })
  description(@Root() card: Card): string {
    return cardDescription(card.kind, card.last4);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Spending allowed per calendar month (UTC); null means only the balance limits it.' })
  monthlyLimit(@Root() card: Card, @Ctx() ctx: GraphQLContext): Money | null {
    return ctx.services.cards.monthlyLimit(card);
  }

  @FieldResolver(() => Money, { description: 'Approved spending this calendar month (UTC).' })
  spentThisMonth(@Root() card: Card, @Ctx() ctx: GraphQLContext): Promise<Money> {
    return ctx.services.cards.spentThisMonth(card);
  }

  @FieldResolver(() => CardPaymentConnection, { description: "The card's payments, approved and declined, newest first." })
  payments(
    @Root() card: Card,
    @Arg('first', () => Int, { description: 'Page size, 1 to 100 (BAD_USER_INPUT otherwise).', nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { description: "Opaque cursor from a previous page's pageInfo.endCursor.", nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Page<CardPaymentView>> {
    return ctx.services.cards.payments(requireAuth(ctx), { cardId: card.id, first, after });
  }
}

@Resolver(() => CardPaymentView)
export class CardPaymentResolver {
  @Authorized()
  @Query(() => CardPaymentConnection, { description: "The caller's card payments, approved and declined, newest first. month is YYYY-MM (UTC)." })
  cardPayments(@Args(() => CardPaymentsArgs) args: CardPaymentsArgs, @Ctx() ctx: GraphQLContext): Promise<Page<CardPaymentView>> {
    return ctx.services.cards.payments(requireAuth(ctx), args);
  }

  @Authorized('OPERATOR')
  @Mutation(() => CardPaymentView, {
    description:
      'OPERATOR only (FORBIDDEN otherwise): the card network asking to pay. A decline is a DECLINED payment, not an error. NOT_FOUND for an unknown card; IDEMPOTENCY_KEY_REUSED for a key sent before with another request; BAD_USER_INPUT for a bad amount, currency or merchant category code.',
  })
  recordCardPayment(
    @Arg('input', () => RecordCardPaymentInput, { description: "The network's request." }) input: RecordCardPaymentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CardPaymentView> {
    return ctx.services.cards.recordPayment(requireAuth(ctx), input);
  }

  @FieldResolver(() => Card, { description: 'The card used.' })
  card(@Root() payment: CardPaymentView, @Ctx() ctx: GraphQLContext): Promise<Card> {
    return ctx.services.cards.paymentCard(payment);
  }

  @FieldResolver(() => TransferView, {
    nullable: true,
    description: "The posted transfer (account → the currency's card settlement account); null when declined.",
  })
  transfer(@Root() payment: CardPaymentView, @Ctx() ctx: GraphQLContext): Promise<TransferView | null> {
    return ctx.services.cards.paymentTransfer(requireAuth(ctx), payment);
  }
}

/** Account.cards. */
@Resolver(() => Account)
export class AccountCardsResolver {
  @FieldResolver(() => [Card], { description: "The account's cards, cancelled ones included, oldest first." })
  cards(@Root() account: AccountView, @Ctx() ctx: GraphQLContext): Promise<Card[]> {
    return ctx.services.cards.forAccount(account);
  }
}
