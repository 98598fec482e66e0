import { DomainError } from '../../../shared/errors.js';
import { money } from '../../../shared/money.js';
import { SpendingCategory } from '../../cards/mcc.rules.js';
import { SplitMode } from '../../groups/group-expense.entity.js';
import type { GroupView } from '../../groups/groups.types.js';
import type { Tool, ToolContext } from './tool.js';

/*
 * The tools of a GROUP conversation: they act on the session's own group, as the member whose
 * message the assistant answers. Members are named by username ("me" is that member). The
 * assistant never adds an expense: it proposes one, and a member confirms it (confirmGroupExpense).
 */

const MINOR = { type: 'string', pattern: '^[1-9][0-9]{0,15}$' };
const USERNAME = { type: 'string', minLength: 1, maxLength: 64 };

function groupOf({ services, auth, session }: ToolContext): Promise<GroupView> {
  return services.groups.bySession(auth, session.id);
}

/** Usernames (any case, "me" for the caller) to the ids of current members; NOT_A_MEMBER names who is in the group. */
async function memberIds(ctx: ToolContext, group: GroupView): Promise<(name: string) => string> {
  const members = await ctx.services.groups.members(ctx.auth, group.id);
  return (name) => {
    const wanted = name.trim().toLowerCase().replace(/^@/, '');
    if (wanted === 'me' || wanted === 'i' || wanted === 'myself') return ctx.auth.userId;
    const found = members.find((m) => m.user.username.toLowerCase() === wanted);
    if (!found) {
      throw new DomainError('NOT_A_MEMBER', `"${name}" is not a member of ${group.name}; the members are ${members.map((m) => m.user.username).join(', ')}`);
    }
    return found.user.id;
  };
}

const groupBalances: Tool = {
  money: true,
  definition: {
    name: 'group_balances',
    description: "Every member's balance in this group (positive: the group owes them; negative: they owe), and the caller's.",
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  async execute(_args, ctx) {
    const group = await groupOf(ctx);
    const balances = await ctx.services.groups.balances(ctx.auth, group);
    return {
      group: group.name,
      currency: group.currency,
      balances: balances.map((b) => ({ username: b.user.username, balance: b.balance.decimal, balanceMinor: b.balance.minor.toString() })),
      yours: balances.find((b) => b.user.id === ctx.auth.userId)?.balance.decimal ?? money(0n, group.currency).decimal,
    };
  },
};

const listGroupExpenses: Tool = {
  money: true,
  definition: {
    name: 'list_group_expenses',
    description: "This group's expenses, newest first (deleted ones left out): who paid and each member's share.",
    parameters: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 50 } }, additionalProperties: false },
  },
  async execute(args, ctx) {
    const group = await groupOf(ctx);
    const page = await ctx.services.groupExpenses.page(ctx.auth, group.id, { first: typeof args.limit === 'number' ? args.limit : 10 });
    return {
      currency: group.currency,
      expenses: page.edges
        .map((e) => e.node)
        .filter((e) => !e.deleted)
        .map((e) => ({
          id: e.id,
          description: e.description,
          amount: e.amount.decimal,
          occurredOn: e.occurredOn,
          category: e.category,
          paidBy: e.paidBy.map((p) => ({ username: p.user.username, amount: p.amount.decimal })),
          splitMode: e.splitMode,
          shares: e.shares.map((s) => ({ username: s.user.username, amount: s.amount.decimal })),
        })),
    };
  },
};

const suggestSettlements: Tool = {
  money: true,
  definition: {
    name: 'suggest_settlements',
    description: 'The fewest payments that settle every balance in this group (stable: paying one leaves the others as they are).',
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  async execute(_args, ctx) {
    const group = await groupOf(ctx);
    const plan = await ctx.services.groups.suggestions(ctx.auth, group);
    return {
      currency: group.currency,
      payments: plan.map((p) => ({ from: p.from.username, to: p.to.username, amount: p.amount.decimal, amountMinor: p.amount.minor.toString() })),
    };
  },
};

const proposeGroupExpense: Tool = {
  money: true,
  definition: {
    name: 'propose_group_expense',
    description:
      'Prepares a group expense that a member must confirm (confirmGroupExpense) before it counts; it expires if nobody does. amountMinor is a positive integer count of minor units of the group currency as a string. Members by username ("me" for the user). paidBy left out: the user paid all of it. EQUAL shares left out: every member. EXACT values are minor units, PERCENT basis points (adding up to 10000), SHARES whole parts.',
    parameters: {
      type: 'object',
      properties: {
        description: { type: 'string', minLength: 1, maxLength: 200 },
        amountMinor: MINOR,
        category: { type: 'string', enum: Object.values(SpendingCategory) },
        occurredOn: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        splitMode: { type: 'string', enum: Object.values(SplitMode) },
        paidBy: {
          type: 'array',
          minItems: 1,
          maxItems: 100,
          items: { type: 'object', properties: { username: USERNAME, amountMinor: MINOR }, required: ['username', 'amountMinor'], additionalProperties: false },
        },
        shares: {
          type: 'array',
          minItems: 1,
          maxItems: 100,
          items: {
            type: 'object',
            properties: { username: USERNAME, value: { type: 'string', pattern: '^[0-9]{1,16}$' } },
            required: ['username'],
            additionalProperties: false,
          },
        },
      },
      required: ['description', 'amountMinor', 'splitMode'],
      additionalProperties: false,
    },
  },
  async execute(args, ctx) {
    const group = await groupOf(ctx);
    const idOf = await memberIds(ctx, group);
    const paidBy = args.paidBy as Array<{ username: string; amountMinor: string }> | undefined;
    const shares = args.shares as Array<{ username: string; value?: string }> | undefined;
    const proposal = await ctx.services.groupExpenses.propose(ctx.auth, {
      groupId: group.id,
      description: args.description as string,
      amountMinor: BigInt(args.amountMinor as string),
      category: (args.category as SpendingCategory | undefined) ?? SpendingCategory.OTHER,
      occurredOn: (args.occurredOn as string | undefined) ?? ctx.deps.clock.now().toISOString().slice(0, 10),
      splitMode: args.splitMode as SplitMode,
      paidBy: paidBy?.map((p) => ({ userId: idOf(p.username), amountMinor: BigInt(p.amountMinor) })) ?? null,
      shares: shares?.map((s) => ({ userId: idOf(s.username), value: s.value === undefined ? null : BigInt(s.value) })) ?? null,
    });
    const name = (id: string) => proposal.names.get(id)?.username ?? id;
    const decimal = (minor: string) => money(BigInt(minor), group.currency).decimal;
    return {
      proposalId: proposal.id,
      status: 'PENDING_CONFIRMATION',
      description: proposal.state.description,
      amount: decimal(proposal.state.amount),
      currency: group.currency,
      occurredOn: proposal.state.occurredOn,
      paidBy: proposal.state.payers.map((p) => ({ username: name(p.userId), amount: decimal(p.amount) })),
      splitMode: proposal.state.splitMode,
      shares: proposal.state.shares.map((s) => ({ username: name(s.userId), amount: decimal(s.amount) })),
      expiresAt: proposal.expiresAt.toISOString(),
    };
  },
};

export const GROUP_TOOLS: Tool[] = [groupBalances, listGroupExpenses, proposeGroupExpense, suggestSettlements];
