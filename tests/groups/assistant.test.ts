import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfirmGroupExpenseDocument,
  DeleteGroupExpenseDocument,
  DeleteMyAccountDocument,
  FeedInsightsDocument,
  GroupChatDocument,
  GroupDocument,
  GroupExpensesDocument,
  RecordOutsideSettlementDocument,
  TransactionsDocument,
  UpdateGroupExpenseDocument,
  AddGroupExpenseDocument,
  LeaveGroupDocument,
  GroupEventsDocument,
} from '../generated/graphql.js';
import { balancesOf, groupOf } from '../factories/groups.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { converse } from '../helpers/agent.js';
import { TestClock } from '../helpers/clock.js';
import { expectError } from '../helpers/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let server: TestServer;
const clock = new TestClock();
let dan: TestUser;
let ana: TestUser;
let ben: TestUser;
let eve: TestUser;
beforeAll(async () => {
  server = await startTestServer({ clock, env: { TRANSFER_PENDING_TTL_SECONDS: '60' } });
  dan = await registerUser(server, { username: 'dan' });
  ana = await registerUser(server, { username: 'ana' });
  ben = await registerUser(server, { username: 'ben' });
  eve = await registerUser(server, { username: 'eve' });
});
afterAll(() => server?.stop());

const today = () => clock.now().toISOString().slice(0, 10);

async function chatOf(groupId: string, member: TestUser): Promise<string> {
  return (await server.ok(GroupChatDocument, { id: groupId }, { token: member.token })).group.chatSession.id;
}

async function expenseCount(groupId: string): Promise<number> {
  return (await server.ok(GroupExpensesDocument, { id: groupId }, { token: dan.token })).group.expenses.edges.length;
}

/** The proposal a run's propose_group_expense returned. */
function proposalOf(run: Awaited<ReturnType<typeof converse>>): Record<string, unknown> {
  const call = run.run.toolCalls.find((c) => c.tool === 'propose_group_expense');
  expect(call?.ok, JSON.stringify(run.run.toolCalls)).toBe(true);
  return call!.result as Record<string, unknown>;
}

describe("the assistant in a group's conversation (local provider)", () => {
  it('understands the four phrases; an expense it proposes counts only once a member confirms it', async () => {
    const groupId = await groupOf(server, dan, [ana, ben]);
    const sessionId = await chatOf(groupId, dan);

    const dinner = await converse(server, dan.token, sessionId, 'split 120 dollars dinner equally between me, ana and ben');
    const proposed = proposalOf(dinner);
    expect(proposed).toMatchObject({
      status: 'PENDING_CONFIRMATION',
      description: 'dinner',
      amount: '120.00',
      currency: 'USD',
      splitMode: 'EQUAL',
      paidBy: [{ username: 'dan', amount: '120.00' }],
      shares: [
        { username: 'dan', amount: '40.00' },
        { username: 'ana', amount: '40.00' },
        { username: 'ben', amount: '40.00' },
      ],
    });
    expect(dinner.text).toContain(String(proposed.proposalId));
    // Nothing is added by the model alone.
    expect(await expenseCount(groupId)).toBe(0);
    expect([...(await balancesOf(server, dan, groupId)).values()]).toEqual([0n, 0n, 0n]);

    // Any member confirms; confirming again adds nothing more; a stranger cannot.
    expectError(await server.gql(ConfirmGroupExpenseDocument, { proposalId: String(proposed.proposalId) }, { token: eve.token }), 'NOT_FOUND');
    // Several members confirm at once: one expense, theirs to whoever came first.
    const confirmed = await Promise.all(
      [ana, ben, dan, ana].map((m) => server.ok(ConfirmGroupExpenseDocument, { proposalId: String(proposed.proposalId) }, { token: m.token })),
    );
    const added = confirmed[0]!.confirmGroupExpense;
    expect(new Set(confirmed.map((r) => r.confirmGroupExpense.id))).toEqual(new Set([added.id]));
    expect(added).toMatchObject({ description: 'dinner', amount: { minor: '12000' }, splitMode: 'EQUAL' });
    expect([ana.user.id, ben.user.id, dan.user.id]).toContain(added.createdBy.id);
    expect(added.paidBy).toEqual([{ user: { id: dan.user.id, username: 'dan' }, amount: { minor: '12000' } }]);
    expect(await expenseCount(groupId)).toBe(1);

    // "me" is whoever wrote the message: from ana, "2 shares for me and 1 for ana" names her twice, and is refused.
    const twice = await converse(server, ana.token, sessionId, 'ben paid 45 for the taxi, split by 2 shares for me and 1 for ana');
    expect(twice.run.toolCalls[0]?.result).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    const taxiByDan = await converse(server, dan.token, sessionId, 'ben paid 45 for the taxi, split by 2 shares for me and 1 for ana');
    const taxiProposal = proposalOf(taxiByDan);
    expect(taxiProposal).toMatchObject({
      shares: [
        { username: 'dan', amount: '30.00' },
        { username: 'ana', amount: '15.00' },
      ],
    });
    await server.ok(ConfirmGroupExpenseDocument, { proposalId: String(taxiProposal.proposalId) }, { token: dan.token });

    // dan: paid 120, owes 40 + 30 = +50; ana owes 40 + 15; ben: paid 45, owes 40 = +5.
    const owes = await converse(server, ben.token, sessionId, 'who owes what?');
    expect(owes.run.toolCalls.map((c) => c.tool)).toEqual(['group_balances']);
    expect(owes.text).toContain('dan is owed 50.00');
    expect(owes.text).toContain('ana owes 55.00');
    expect(owes.text).toContain('ben is owed 5.00');

    const settle = await converse(server, ana.token, sessionId, 'how do we settle up?');
    expect(settle.run.toolCalls.map((c) => c.tool)).toEqual(['suggest_settlements']);
    expect(settle.text).toContain('ana pays dan 50.00 USD');
    expect(settle.text).toContain('ana pays ben 5.00 USD');
  });

  it('refuses a proposal past its expiry (PROPOSAL_EXPIRED) and one naming a member who left (NOT_A_MEMBER)', async () => {
    const groupId = await groupOf(server, dan, [ana, ben]);
    const sessionId = await chatOf(groupId, dan);
    const late = proposalOf(await converse(server, dan.token, sessionId, 'split 30 dollars pizza equally'));
    expect(late.shares).toHaveLength(3);
    const gone = proposalOf(await converse(server, dan.token, sessionId, 'split 12 dollars coffee equally between me and ben'));
    await server.ok(LeaveGroupDocument, { id: groupId }, { token: ben.token });
    expectError(await server.gql(ConfirmGroupExpenseDocument, { proposalId: String(gone.proposalId) }, { token: dan.token }), 'NOT_A_MEMBER');
    clock.advance(61_000);
    try {
      expectError(await server.gql(ConfirmGroupExpenseDocument, { proposalId: String(late.proposalId) }, { token: ana.token }), 'PROPOSAL_EXPIRED');
    } finally {
      clock.reset();
    }
    expect(await expenseCount(groupId)).toBe(0);
  });

  it('asks instead of guessing: another currency than the group’s, or a name not in the group', async () => {
    const groupId = await groupOf(server, dan, [ana], 'EUR', 'Trip');
    const sessionId = await chatOf(groupId, dan);
    const yen = await converse(server, dan.token, sessionId, 'split 5000 yen sushi equally');
    expect(yen.run.toolCalls).toEqual([]);
    expect(yen.text).toContain('EUR');
    const stranger = await converse(server, dan.token, sessionId, 'split 20 EUR museum equally between me and zed');
    expect(stranger.run.toolCalls[0]?.result).toMatchObject({ error: { code: 'NOT_A_MEMBER' } });
    expect(await expenseCount(groupId)).toBe(0);
  });
});

describe("a group expense in the payer's own budget", () => {
  async function groupRows(member: TestUser) {
    // This test's group is the only one in JPY.
    const rows = (await server.ok(TransactionsDocument, { filter: { source: 'GROUP' }, first: 50 }, { token: member.token })).transactions.edges;
    return rows.map((e) => e.node).filter((t) => t.amount.currency === 'JPY');
  }
  async function spent(member: TestUser): Promise<string> {
    const month = today().slice(0, 7);
    return (await server.ok(FeedInsightsDocument, { month, currency: 'JPY' }, { token: member.token })).spendingInsights.totalSpent.minor;
  }

  it("counts the payer's share, not what they fronted, and follows edits and deletes", async () => {
    const groupId = await groupOf(server, dan, [ana, ben], 'JPY', 'Ski');
    const input = { groupId, description: 'Chalet', amountMinor: '10000', occurredOn: today(), splitMode: 'EQUAL' as const, category: 'TRAVEL' as const };
    const chalet = (await server.ok(AddGroupExpenseDocument, { input }, { token: dan.token })).addGroupExpense;
    // 10000 JPY three ways: 3334, 3333, 3333 (the first in join order takes the leftover yen).
    expect(await groupRows(dan)).toMatchObject([
      { id: chalet.id, source: 'GROUP', direction: 'OUT', amount: { minor: '3334', currency: 'JPY' }, category: 'TRAVEL' },
    ]);
    expect(await spent(dan)).toBe('3334');
    // Ana did not pay: her share is what she owes the group, not spending yet.
    expect(await groupRows(ana)).toEqual([]);

    // Two payers: each sees their own share.
    const twoPayers = {
      ...input,
      description: 'Lift passes',
      amountMinor: '9000',
      paidBy: [
        { userId: ana.user.id, amountMinor: '6000' },
        { userId: ben.user.id, amountMinor: '3000' },
      ],
    };
    const passes = (await server.ok(AddGroupExpenseDocument, { input: twoPayers }, { token: ana.token })).addGroupExpense;
    expect((await groupRows(ana)).map((t) => t.amount.minor)).toEqual(['3000']);
    expect((await groupRows(ben)).map((t) => t.amount.minor)).toEqual(['3000']);

    const edited = (await server.ok(UpdateGroupExpenseDocument, { id: chalet.id, input: { amountMinor: '12000', expectedVersion: 1 } }, { token: ana.token }))
      .updateGroupExpense;
    expect(edited.version).toBe(2);
    expect(await spent(dan)).toBe('4000');
    await server.ok(DeleteGroupExpenseDocument, { id: chalet.id, expectedVersion: 2 }, { token: ben.token });
    expect(await groupRows(dan)).toEqual([]);
    expect(await spent(dan)).toBe('0');
    expect((await groupRows(ana)).map((t) => t.id)).toEqual([passes.id]);
  });
});

describe('deleteMyAccount and groups', () => {
  it('is refused while a group balance is not zero; then leaves the groups, whose history stays with the others', async () => {
    const carl = await registerUser(server, { username: 'carl', password: 'carl-password-1' });
    const groupId = await groupOf(server, carl, [ana], 'USD', 'Lunches');
    const input = { groupId, description: 'Lunch', amountMinor: '2000', occurredOn: today(), splitMode: 'EQUAL' as const };
    const lunch = (await server.ok(AddGroupExpenseDocument, { input }, { token: carl.token })).addGroupExpense;
    const sessionId = await chatOf(groupId, carl);
    await converse(server, carl.token, sessionId, 'who owes what?');

    const refused = expectError(await server.gql(DeleteMyAccountDocument, { password: 'carl-password-1' }, { token: carl.token }), 'BALANCE_NOT_ZERO');
    expect(refused.extensions).toMatchObject({ groupId, balanceMinor: '1000' });

    await server.ok(RecordOutsideSettlementDocument, { groupId, fromUserId: ana.user.id, amountMinor: '1000' }, { token: carl.token });
    const watching = await server.subscribed(() => collect(server.ws(ana.token), GroupEventsDocument, { groupId }));
    expect(await server.ok(DeleteMyAccountDocument, { password: 'carl-password-1' }, { token: carl.token })).toEqual({ deleteMyAccount: true });
    // The others hear that carl left, as for leaveGroup.
    const [left] = await watching.waitFor(1);
    expect(left!.groupEvents).toMatchObject({ kind: 'MEMBER_LEFT', member: { id: carl.user.id } });
    watching.stop();

    // Ana is the group now (and its owner); the expense and the conversation still name carl's row.
    const group = (await server.ok(GroupDocument, { id: groupId }, { token: ana.token })).group;
    expect(group.members).toEqual([{ user: { id: ana.user.id, username: 'ana' }, role: 'OWNER' }]);
    const expenses = (await server.ok(GroupExpensesDocument, { id: groupId }, { token: ana.token })).group.expenses.edges.map((e) => e.node);
    expect(expenses.map((e) => [e.id, e.createdBy.id])).toEqual([[lunch.id, carl.user.id]]);
    const chat = (await server.ok(GroupChatDocument, { id: groupId }, { token: ana.token })).group.chatSession;
    expect(chat.id).toBe(sessionId);
    expect(chat.messages.edges.map((e) => [e.node.role, e.node.author?.id ?? null])).toEqual([
      ['USER', carl.user.id],
      ['ASSISTANT', null],
    ]);
  });
});
