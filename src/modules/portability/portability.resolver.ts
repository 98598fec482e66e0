import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireAuth, type GraphQLContext } from '../../shared/request-context.js';
import { JSONScalar } from '../../shared/scalars.js';
import type { ExportDocument } from './export-document.js';
import { ImportSummary } from './portability.types.js';

@Resolver()
export class PortabilityResolver {
  @Authorized()
  @Query(() => JSONScalar, { description: 'Everything the caller owns, as one JSON document that importMyData accepts.' })
  exportMyData(@Ctx() ctx: GraphQLContext): Promise<ExportDocument> {
    return ctx.services.portability.export(requireAuth(ctx));
  }

  @Authorized()
  @Mutation(() => ImportSummary, {
    description:
      "Restores a document from exportMyData into the caller's data: chat sessions, messages, journal entries, templates, preferences, cards, goals and plans, the budget, manual transactions, categorization rules and linked accounts' transactions (a linked account comes back DISCONNECTED: no token ever leaves; what the caller has already is not doubled). In one transaction: an invalid document is BAD_USER_INPUT, manual transactions in another currency than the budget's CURRENCY_MISMATCH, and either writes nothing.",
  })
  importMyData(
    @Arg('data', () => JSONScalar, { description: 'The JSON document exportMyData returned (at most BODY_LIMIT_BYTES, 2 MB by default).' }) data: unknown,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ImportSummary> {
    return ctx.services.portability.import(requireAuth(ctx), data);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Ends the caller's account: every session revoked, personal content (journal, chats, drafts, templates, preferences, plans, goals, budget) erased, the username and email freed. Ledger rows, card payments and the audit trail stay, tied to an anonymized user. Needs the password (BAD_USER_INPUT when wrong); ACCOUNT_NOT_EMPTY while money is left in an account.",
  })
  deleteMyAccount(@Arg('password', () => String, { description: 'The current password.' }) password: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.accountDeletion.deleteMyAccount(requireAuth(ctx), password);
  }
}
