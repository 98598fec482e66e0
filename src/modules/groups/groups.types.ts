import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { GroupData, GroupEventData, GroupExpenseData, SettlementData, UserData } from '../../pubsub/topics.js';
import { Money, money } from '../../shared/money.js';
import { ConnectionType } from '../../shared/pagination.js';
import { PublicUser } from '../auth/auth.types.js';
import { SpendingCategory } from '../cards/mcc.rules.js';
import { SplitMode } from './group-expense.entity.js';
import { GroupRole, InvitationStatus } from './group.entity.js';
import { SettlementStatus } from './settlement.entity.js';

/*
 * What the API shows of groups. Expenses and settlements are built from their JSON-safe data
 * (pubsub/topics.ts), whether read or carried by an event, so both render identically.
 */

@ObjectType('Group', { description: 'People who share costs, in one currency. Only its members see it (NOT_FOUND for anyone else).' })
export class GroupView {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => String, { description: '1 to 100 characters.' })
  name!: string;

  @Field(() => String, { description: 'ISO 4217 code: every expense and settlement of the group is in it.' })
  currency!: string;

  @Field(() => Date, { description: 'When the group was created.' })
  createdAt!: Date;
}

@ObjectType('GroupMember', { description: 'A current member of a group.' })
export class GroupMemberView {
  @Field(() => PublicUser, { description: 'The member: id and username, never an email.' })
  user!: PublicUser;

  @Field(() => GroupRole, { description: 'OWNER or MEMBER.' })
  role!: GroupRole;

  @Field(() => Date, { description: 'When they joined (accepted their invitation, or created the group).' })
  joinedAt!: Date;
}

@ObjectType('MemberBalance', { description: "A member's balance: positive, the group owes them; negative, they owe the group." })
export class MemberBalanceView {
  @Field(() => PublicUser, { description: 'The member.' })
  user!: PublicUser;

  @Field(() => Money, { description: 'What they paid minus their shares, plus settlements they paid, minus those paid to them.' })
  balance!: Money;
}

@ObjectType('SuggestedSettlement', { description: 'One payment of the plan that brings every balance to zero.' })
export class SuggestedSettlementView {
  @Field(() => PublicUser, { description: 'Who pays (a member who owes).' })
  from!: PublicUser;

  @Field(() => PublicUser, { description: 'Who is paid (a member who is owed).' })
  to!: PublicUser;

  @Field(() => Money, { description: 'How much, in the group currency.' })
  amount!: Money;
}

@ObjectType('GroupInvitation', { description: 'An invitation to join a group; seen only by its invitee and its inviter.' })
export class GroupInvitationView {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => GroupView, { description: 'The group (its name and currency; the rest only once a member).' })
  group!: GroupView;

  @Field(() => PublicUser, { description: 'Who is invited.' })
  invitedUser!: PublicUser;

  @Field(() => PublicUser, { description: 'Who invited them.' })
  invitedBy!: PublicUser;

  @Field(() => InvitationStatus, { description: 'See InvitationStatus.' })
  status!: InvitationStatus;

  @Field(() => Date, { description: 'When it was sent.' })
  createdAt!: Date;
}

@ObjectType('ExpensePayer', { description: 'A member who paid part of an expense.' })
export class ExpensePayerView {
  @Field(() => PublicUser, { description: 'The member.' })
  user!: PublicUser;

  @Field(() => Money, { description: 'What they paid.' })
  amount!: Money;
}

@ObjectType('ExpenseShare', { description: "A member's share of an expense, in exact minor units." })
export class ExpenseShareView {
  @Field(() => PublicUser, { description: 'The member.' })
  user!: PublicUser;

  @Field(() => Money, { description: 'Their share; the shares add up to the expense exactly.' })
  amount!: Money;

  @Field(() => Int, { nullable: true, description: 'Basis points for PERCENT, parts for SHARES, null otherwise.' })
  weight!: number | null;
}

@ObjectType('GroupExpense', { description: 'A cost shared in a group: who paid, and how it is split.' })
export class GroupExpenseView {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => GroupView, { description: 'The group.' })
  group!: GroupView;

  @Field(() => String, { description: 'What it was.' })
  description!: string;

  @Field(() => Money, { description: 'The whole expense, in the group currency.' })
  amount!: Money;

  @Field(() => SpendingCategory, { description: 'What it was for.' })
  category!: SpendingCategory;

  @Field(() => String, { description: "The day it happened, 'YYYY-MM-DD'." })
  occurredOn!: string;

  @Field(() => [ExpensePayerView], { description: 'One or more members who paid; their amounts add up to the expense.' })
  paidBy!: ExpensePayerView[];

  @Field(() => SplitMode, { description: 'How it is split.' })
  splitMode!: SplitMode;

  @Field(() => [ExpenseShareView], { description: "The shares, in the expense's share order (the order leftover units follow)." })
  shares!: ExpenseShareView[];

  @Field(() => PublicUser, { description: 'Who added it.' })
  createdBy!: PublicUser;

  @Field(() => Int, { description: '1 when added; each edit adds one. Edits and deletes keep the history.' })
  version!: number;

  @Field(() => Boolean, { description: 'Deleted (kept for the history; it no longer counts in balances).' })
  deleted!: boolean;

  @Field(() => Date, { description: 'When it was added.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed.' })
  updatedAt!: Date;
}

export const GroupExpenseConnection = ConnectionType('GroupExpense', GroupExpenseView);

@ObjectType('Settlement', {
  description:
    'A payment between two members: through the ledger (a transfer the payer confirms) or outside it (cash, recorded by the member who received it).',
})
export class SettlementView {
  @Field(() => ID, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => GroupView, { description: 'The group.' })
  group!: GroupView;

  @Field(() => PublicUser, { description: 'Who paid.' })
  from!: PublicUser;

  @Field(() => PublicUser, { description: 'Who was paid.' })
  to!: PublicUser;

  @Field(() => Money, { description: 'How much, in the group currency.' })
  amount!: Money;

  @Field(() => SettlementStatus, { description: 'See SettlementStatus.' })
  status!: SettlementStatus;

  @Field(() => Date, { description: 'When it was proposed or recorded.' })
  createdAt!: Date;

  /** For Settlement.transfer. */
  transferId!: string | null;
}

export const SettlementConnection = ConnectionType('Settlement', SettlementView);

export enum GroupEventKind {
  MEMBER_JOINED = 'MEMBER_JOINED',
  MEMBER_LEFT = 'MEMBER_LEFT',
  EXPENSE_ADDED = 'EXPENSE_ADDED',
  EXPENSE_UPDATED = 'EXPENSE_UPDATED',
  EXPENSE_DELETED = 'EXPENSE_DELETED',
  SETTLEMENT_PROPOSED = 'SETTLEMENT_PROPOSED',
  SETTLED = 'SETTLED',
}
registerEnumType(GroupEventKind, {
  name: 'GroupEventKind',
  description: 'What changed in a group.',
  valuesConfig: {
    MEMBER_JOINED: { description: 'Someone accepted an invitation (`member`).' },
    MEMBER_LEFT: { description: 'A member left or was removed (`member`); their stream ends after this event.' },
    EXPENSE_ADDED: { description: 'A new expense (`expense`).' },
    EXPENSE_UPDATED: { description: 'A new version of an expense (`expense`).' },
    EXPENSE_DELETED: { description: 'An expense was deleted (`expense`, deleted: true).' },
    SETTLEMENT_PROPOSED: { description: 'A settlement through the ledger waits for its transfer to be confirmed (`settlement`).' },
    SETTLED: { description: 'A settlement was paid: its transfer posted, or the payee recorded a payment outside the gateway (`settlement`).' },
  },
});

@ObjectType('GroupEvent', { description: 'One change in a group: `expense`, `settlement` or `member` is set by kind.' })
export class GroupEventView {
  @Field(() => GroupEventKind, { description: 'What changed.' })
  kind!: GroupEventKind;

  @Field(() => GroupView, { description: 'The group.' })
  group!: GroupView;

  @Field(() => GroupExpenseView, { nullable: true, description: 'For EXPENSE_*: the expense after the change.' })
  expense!: GroupExpenseView | null;

  @Field(() => SettlementView, { nullable: true, description: 'For SETTLEMENT_PROPOSED and SETTLED.' })
  settlement!: SettlementView | null;

  @Field(() => PublicUser, { nullable: true, description: 'For MEMBER_JOINED and MEMBER_LEFT: who.' })
  member!: PublicUser | null;

  @Field(() => Date, { description: 'When it happened.' })
  at!: Date;
}

const user = (u: UserData): PublicUser => ({ id: u.id, username: u.username });

export function groupView(g: GroupData): GroupView {
  return { id: g.id, name: g.name, currency: g.currency, createdAt: new Date(g.createdAt) };
}

export function expenseView(d: GroupExpenseData): GroupExpenseView {
  const c = d.group.currency;
  return {
    id: d.id,
    group: groupView(d.group),
    description: d.description,
    amount: money(BigInt(d.amountMinor), c),
    category: d.category as SpendingCategory,
    occurredOn: d.occurredOn,
    paidBy: d.paidBy.map((p) => ({ user: user(p.user), amount: money(BigInt(p.amountMinor), c) })),
    splitMode: d.splitMode as SplitMode,
    shares: d.shares.map((s) => ({ user: user(s.user), amount: money(BigInt(s.amountMinor), c), weight: s.weight })),
    createdBy: user(d.createdBy),
    version: d.version,
    deleted: d.deleted,
    createdAt: new Date(d.createdAt),
    updatedAt: new Date(d.updatedAt),
  };
}

export function settlementView(d: SettlementData): SettlementView {
  return {
    id: d.id,
    group: groupView(d.group),
    from: user(d.from),
    to: user(d.to),
    amount: money(BigInt(d.amountMinor), d.group.currency),
    status: d.status as SettlementStatus,
    createdAt: new Date(d.createdAt),
    transferId: d.transferId,
  };
}

export function groupEventView(d: GroupEventData): GroupEventView {
  return {
    kind: d.kind as GroupEventKind,
    group: groupView(d.group),
    expense: d.expense ? expenseView(d.expense) : null,
    settlement: d.settlement ? settlementView(d.settlement) : null,
    member: d.member ? user(d.member) : null,
    at: new Date(d.at),
  };
}
