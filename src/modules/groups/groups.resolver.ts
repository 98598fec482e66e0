import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { GroupEventData } from '../../pubsub/topics.js';
import type { GraphQLContext } from '../../shared/request-context.js';
import { requireAuth } from '../../shared/request-context.js';
import { Money } from '../../shared/money.js';
import type { Page } from '../../shared/pagination.js';
import { MinorUnitsScalar } from '../../shared/scalars.js';
import { TransferView } from '../transfers/transfer.types.js';
import { ChatSession } from '../chat/chat-session.entity.js';
import { InvitationStatus } from './group.entity.js';
import { CreateGroupInput, GroupExpenseInput, PageArgs, SettleUpInput, UpdateGroupExpenseInput } from './groups.inputs.js';
import {
  GroupEventView,
  GroupExpenseConnection,
  GroupExpenseView,
  GroupInvitationView,
  GroupMemberView,
  GroupView,
  MemberBalanceView,
  SettlementConnection,
  SettlementView,
  SuggestedSettlementView,
  groupEventView,
} from './groups.types.js';

const GROUP_ID = { description: "One of the caller's groups; NOT_FOUND for any other id." };

@Resolver(() => GroupView)
export class GroupResolver {
  @Authorized()
  @Query(() => [GroupView], { description: 'The groups the caller is a member of, oldest first. FEATURE_DISABLED while the groups flag is off.' })
  groups(@Ctx() ctx: GraphQLContext): Promise<GroupView[]> {
    return ctx.services.groups.list(requireAuth(ctx));
  }

  @Authorized()
  @Query(() => GroupView, { description: 'One of the caller’s groups; NOT_FOUND when it does not exist or the caller is not a member.' })
  group(@Arg('id', () => ID, GROUP_ID) id: string, @Ctx() ctx: GraphQLContext): Promise<GroupView> {
    return ctx.services.groups.get(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => GroupView, { description: 'A new group in one currency; the caller is its OWNER. BAD_USER_INPUT for a bad name or currency.' })
  createGroup(@Arg('input', () => CreateGroupInput, { description: 'The group.' }) input: CreateGroupInput, @Ctx() ctx: GraphQLContext): Promise<GroupView> {
    return ctx.services.groups.create(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => GroupView, { description: 'Any member may rename the group. NOT_FOUND for a group not the caller’s; BAD_USER_INPUT for a bad name.' })
  renameGroup(
    @Arg('id', () => ID, GROUP_ID) id: string,
    @Arg('name', () => String, { description: '1 to 100 characters.' }) name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupView> {
    return ctx.services.groups.rename(requireAuth(ctx), id, name);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Refused while the caller’s balance in the group is not zero (BALANCE_NOT_ZERO). The last owner leaving hands OWNER to the longest-standing member. History stays with the others.',
  })
  leaveGroup(@Arg('id', () => ID, GROUP_ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.groups.leave(requireAuth(ctx), id);
  }

  @Authorized()
  @Mutation(() => GroupView, {
    description:
      'OWNER only (FORBIDDEN otherwise); refused while that member’s balance is not zero (BALANCE_NOT_ZERO); NOT_A_MEMBER for someone not in the group.',
  })
  removeGroupMember(
    @Arg('groupId', () => ID, GROUP_ID) groupId: string,
    @Arg('userId', () => ID, { description: 'The member to remove.' }) userId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupView> {
    return ctx.services.groups.remove(requireAuth(ctx), groupId, userId);
  }

  @Subscription(() => GroupEventView, {
    description:
      'Every change in one of the caller’s groups, from every instance; NOT_FOUND for a group not the caller’s. Ends after the caller leaves or is removed.',
    subscribe: ({ args, context }) => (context as GraphQLContext).services.groups.watch(requireAuth(context as GraphQLContext), String(args.groupId)),
  })
  groupEvents(@Arg('groupId', () => ID, GROUP_ID) _groupId: string, @Root() payload: GroupEventData): GroupEventView {
    return groupEventView(payload);
  }

  @FieldResolver(() => [GroupMemberView], { description: 'The current members, in the order they joined.' })
  members(@Root() group: GroupView, @Ctx() ctx: GraphQLContext): Promise<GroupMemberView[]> {
    return ctx.services.groups.members(requireAuth(ctx), group.id);
  }

  @FieldResolver(() => Money, { description: 'Positive: the group owes the caller; negative: the caller owes.' })
  myBalance(@Root() group: GroupView, @Ctx() ctx: GraphQLContext): Promise<Money> {
    return ctx.services.groups.myBalance(requireAuth(ctx), group);
  }

  @FieldResolver(() => [MemberBalanceView], { description: 'Every current member’s balance, in join order; they always sum to zero.' })
  balances(@Root() group: GroupView, @Ctx() ctx: GraphQLContext): Promise<MemberBalanceView[]> {
    return ctx.services.groups.balances(requireAuth(ctx), group);
  }

  @FieldResolver(() => [SuggestedSettlementView], {
    description:
      'The fewest payments that settle every balance (at most members - 1); stable: paying one suggestion does not reshuffle the others. Debtors and creditors are paired in user-id order.',
  })
  suggestedSettlements(@Root() group: GroupView, @Ctx() ctx: GraphQLContext): Promise<SuggestedSettlementView[]> {
    return ctx.services.groups.suggestions(requireAuth(ctx), group);
  }

  @FieldResolver(() => ChatSession, {
    description:
      "The group's conversation (ConversationType GROUP): every current member reads it, writes in it and follows its runs (chatSessionEvents, agentEvents); a member who leaves loses it at once, open subscriptions included.",
  })
  chatSession(@Root() group: GroupView, @Ctx() ctx: GraphQLContext): Promise<ChatSession> {
    return ctx.services.groups.chatSession(requireAuth(ctx), group.id);
  }

  @FieldResolver(() => GroupExpenseConnection, { description: 'Expenses, newest first, deleted ones included (deleted: true).' })
  expenses(@Root() group: GroupView, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: GraphQLContext): Promise<Page<GroupExpenseView>> {
    return ctx.services.groupExpenses.page(requireAuth(ctx), group.id, args);
  }

  @FieldResolver(() => SettlementConnection, { description: 'Settlements, newest first.' })
  settlements(@Root() group: GroupView, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: GraphQLContext): Promise<Page<SettlementView>> {
    return ctx.services.settlements.page(requireAuth(ctx), group.id, args);
  }
}

@Resolver(() => GroupInvitationView)
export class GroupInvitationResolver {
  @Authorized()
  @Query(() => [GroupInvitationView], { description: 'Invitations the caller received or sent, with this status (PENDING by default; null: all).' })
  groupInvitations(
    @Arg('status', () => InvitationStatus, { nullable: true, defaultValue: InvitationStatus.PENDING, description: 'Only these.' })
    status: InvitationStatus | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupInvitationView[]> {
    return ctx.services.groups.invitations(requireAuth(ctx), status);
  }

  @Authorized()
  @Mutation(() => GroupInvitationView, {
    description: 'Invites a user by username; a pending invitation is returned as it is. NOT_FOUND for an unknown username; ALREADY_MEMBER for a member.',
  })
  inviteToGroup(
    @Arg('groupId', () => ID, GROUP_ID) groupId: string,
    @Arg('username', () => String, { description: 'Their sign-in name.' }) username: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupInvitationView> {
    return ctx.services.groups.invite(requireAuth(ctx), groupId, username);
  }

  @Authorized()
  @Mutation(() => GroupInvitationView, {
    description: 'The invitee accepts (joins) or declines. NOT_FOUND for anyone else; CONFLICT when it is no longer PENDING.',
  })
  respondToInvitation(
    @Arg('id', () => ID, { description: 'The invitation.' }) id: string,
    @Arg('accept', () => Boolean, { description: 'true joins the group.' }) accept: boolean,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupInvitationView> {
    return ctx.services.groups.respond(requireAuth(ctx), id, accept);
  }

  @Authorized()
  @Mutation(() => GroupInvitationView, {
    description: 'The inviter or an owner withdraws it (FORBIDDEN for the invitee); CONFLICT when it is no longer PENDING.',
  })
  revokeInvitation(@Arg('id', () => ID, { description: 'The invitation.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<GroupInvitationView> {
    return ctx.services.groups.revoke(requireAuth(ctx), id);
  }
}

@Resolver(() => GroupExpenseView)
export class GroupExpenseResolver {
  @Authorized()
  @Mutation(() => GroupExpenseView, {
    description:
      'Adds an expense. SPLIT_MISMATCH when payers or shares do not add up; NOT_A_MEMBER for a payer or share not in the group; IDEMPOTENCY_KEY_REUSED for a clientRequestId used for another expense.',
  })
  addGroupExpense(
    @Arg('input', () => GroupExpenseInput, { description: 'The expense.' }) input: GroupExpenseInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupExpenseView> {
    return ctx.services.groupExpenses.add(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => GroupExpenseView, {
    description: 'A new version; the previous one is kept. CONFLICT for a stale expectedVersion or a deleted expense; SPLIT_MISMATCH as for adding.',
  })
  updateGroupExpense(
    @Arg('id', () => ID, { description: 'The expense.' }) id: string,
    @Arg('input', () => UpdateGroupExpenseInput, { description: 'The changes.' }) input: UpdateGroupExpenseInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupExpenseView> {
    return ctx.services.groupExpenses.update(requireAuth(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => GroupExpenseView, {
    description:
      "Adds an expense the assistant proposed in the group's conversation (propose_group_expense's proposalId), as proposed; any current member may confirm it, and the confirming member is its creator. Confirming again returns the same expense. PROPOSAL_EXPIRED once it is older than TRANSFER_PENDING_TTL_SECONDS; NOT_A_MEMBER when a member it names has left; NOT_FOUND for a proposal of a group not the caller's.",
  })
  confirmGroupExpense(
    @Arg('proposalId', () => ID, { description: 'The proposal.' }) proposalId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupExpenseView> {
    return ctx.services.groupExpenses.confirm(requireAuth(ctx), proposalId);
  }

  @Authorized()
  @Mutation(() => GroupExpenseView, {
    description: 'A soft delete (a new version with deleted: true); balances drop it at once. CONFLICT for a stale expectedVersion.',
  })
  deleteGroupExpense(
    @Arg('id', () => ID, { description: 'The expense.' }) id: string,
    @Arg('expectedVersion', () => Int, { description: 'The version the caller saw.' }) expectedVersion: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<GroupExpenseView> {
    return ctx.services.groupExpenses.delete(requireAuth(ctx), id, expectedVersion);
  }
}

@Resolver(() => SettlementView)
export class SettlementResolver {
  @Authorized()
  @Mutation(() => SettlementView, {
    description:
      'Proposes a ledger transfer from the caller to a member’s account in the group’s currency; the caller confirms it with confirmTransfer, and the balances move when it posts. SETTLEMENT_ACCOUNT_MISSING when the member has no open account in that currency.',
  })
  settleUp(@Arg('input', () => SettleUpInput, { description: 'The payment.' }) input: SettleUpInput, @Ctx() ctx: GraphQLContext): Promise<SettlementView> {
    return ctx.services.settlements.settleUp(requireAuth(ctx), input);
  }

  @Authorized()
  @Mutation(() => SettlementView, { description: 'Only the member who was paid can say they were paid outside the gateway (FORBIDDEN for the payer).' })
  recordOutsideSettlement(
    @Arg('groupId', () => ID, GROUP_ID) groupId: string,
    @Arg('fromUserId', () => ID, { description: 'The member who paid the caller.' }) fromUserId: string,
    @Arg('amountMinor', () => MinorUnitsScalar, { description: 'Greater than zero, in the group currency.' }) amountMinor: bigint,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SettlementView> {
    return ctx.services.settlements.recordOutside(requireAuth(ctx), groupId, fromUserId, amountMinor);
  }

  @FieldResolver(() => TransferView, {
    nullable: true,
    description:
      'The ledger transfer; null for a payment made outside the gateway, and for those the transfer is not shown to (members it did not involve; the payee until it posts).',
  })
  transfer(@Root() settlement: SettlementView, @Ctx() ctx: GraphQLContext): Promise<TransferView | null> {
    return ctx.services.settlements.transfer(requireAuth(ctx), settlement);
  }
}
