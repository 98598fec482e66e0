import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddGroupExpenseDocument,
  CreateGroupDocument,
  DeleteGroupExpenseDocument,
  GroupDocument,
  GroupEventsDocument,
  GroupExpensesDocument,
  GroupInvitationsDocument,
  GroupsDocument,
  InviteToGroupDocument,
  LeaveGroupDocument,
  RecordOutsideSettlementDocument,
  RemoveGroupMemberDocument,
  RenameGroupDocument,
  RespondToInvitationDocument,
  RevokeInvitationDocument,
  UpdateGroupExpenseDocument,
} from '../generated/graphql.js';
import { groupOf } from '../factories/groups.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { codeOf } from '../helpers/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let server: TestServer;
let ana: TestUser;
let ben: TestUser;
let eve: TestUser;
beforeAll(async () => {
  server = await startTestServer({ maintenance: false });
  [ana, ben, eve] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
});
afterAll(() => server?.stop());

const DAY = '2026-12-01';
const expense = (groupId: string, amount: string) => ({ groupId, description: 'Groceries', amountMinor: amount, occurredOn: DAY, splitMode: 'EQUAL' as const });

describe('membership', () => {
  it('joins only by an accepted invitation; members appear as id and username only', async () => {
    const id = (await server.ok(CreateGroupDocument, { input: { name: 'Flat 3B', currency: 'usd' } }, { token: ana.token })).createGroup.id;
    const invitation = (await server.ok(InviteToGroupDocument, { groupId: id, username: ben.user.username.toUpperCase() }, { token: ana.token })).inviteToGroup;
    expect(invitation).toMatchObject({ status: 'PENDING', invitedUser: { id: ben.user.id }, invitedBy: { id: ana.user.id }, group: { id } });
    // Invited is not a member yet.
    expect(codeOf(await server.gql(GroupDocument, { id }, { token: ben.token }))).toBe('NOT_FOUND');
    expect((await server.ok(GroupInvitationsDocument, {}, { token: ben.token })).groupInvitations.map((i) => i.id)).toEqual([invitation.id]);
    expect((await server.ok(GroupInvitationsDocument, {}, { token: eve.token })).groupInvitations).toEqual([]);
    expect(codeOf(await server.gql(RespondToInvitationDocument, { id: invitation.id, accept: true }, { token: eve.token }))).toBe('NOT_FOUND');
    expect((await server.ok(RespondToInvitationDocument, { id: invitation.id, accept: true }, { token: ben.token })).respondToInvitation.status).toBe(
      'ACCEPTED',
    );
    expect(codeOf(await server.gql(RespondToInvitationDocument, { id: invitation.id, accept: true }, { token: ben.token }))).toBe('CONFLICT');
    const group = (await server.ok(GroupDocument, { id }, { token: ben.token })).group;
    expect(group).toMatchObject({ name: 'Flat 3B', currency: 'USD' });
    expect(group.members).toEqual([
      { user: { id: ana.user.id, username: ana.user.username }, role: 'OWNER' },
      { user: { id: ben.user.id, username: ben.user.username }, role: 'MEMBER' },
    ]);
    expect(JSON.stringify(group)).not.toContain('@example.com');
    expect(codeOf(await server.gql(InviteToGroupDocument, { groupId: id, username: ben.user.username }, { token: ana.token }))).toBe('ALREADY_MEMBER');
    expect(codeOf(await server.gql(InviteToGroupDocument, { groupId: id, username: 'nobody_here_at_all' }, { token: ana.token }))).toBe('NOT_FOUND');
    expect((await server.ok(GroupsDocument, {}, { token: ben.token })).groups.map((g) => g.id)).toContain(id);
  });

  it('lets the inviter or an owner revoke an invitation, not the invitee (who may decline)', async () => {
    const id = await groupOf(server, ana, [ben]);
    const first = (await server.ok(InviteToGroupDocument, { groupId: id, username: eve.user.username }, { token: ben.token })).inviteToGroup;
    // A second invite returns the pending one.
    expect((await server.ok(InviteToGroupDocument, { groupId: id, username: eve.user.username }, { token: ana.token })).inviteToGroup.id).toBe(first.id);
    expect(codeOf(await server.gql(RevokeInvitationDocument, { id: first.id }, { token: eve.token }))).toBe('FORBIDDEN');
    expect((await server.ok(RevokeInvitationDocument, { id: first.id }, { token: ben.token })).revokeInvitation.status).toBe('REVOKED');
    expect(codeOf(await server.gql(RespondToInvitationDocument, { id: first.id, accept: true }, { token: eve.token }))).toBe('CONFLICT');
    const second = (await server.ok(InviteToGroupDocument, { groupId: id, username: eve.user.username }, { token: ben.token })).inviteToGroup;
    expect((await server.ok(RespondToInvitationDocument, { id: second.id, accept: false }, { token: eve.token })).respondToInvitation.status).toBe('DECLINED');
    expect(codeOf(await server.gql(GroupDocument, { id }, { token: eve.token }))).toBe('NOT_FOUND');
  });

  it('answers NOT_FOUND for foreign and malformed group, expense and invitation ids, exactly as for missing ones', async () => {
    const id = await groupOf(server, ana, [ben]);
    const added = (await server.ok(AddGroupExpenseDocument, { input: expense(id, '900') }, { token: ana.token })).addGroupExpense;
    const invitation = (await server.ok(InviteToGroupDocument, { groupId: id, username: eve.user.username }, { token: ana.token })).inviteToGroup;
    const missing = '01890000-0000-7000-8000-000000000000';
    const stranger = await registerUser(server);
    for (const groupId of [id, missing, 'not-a-uuid']) {
      expect(codeOf(await server.gql(GroupDocument, { id: groupId }, { token: stranger.token }))).toBe('NOT_FOUND');
      expect(codeOf(await server.gql(AddGroupExpenseDocument, { input: expense(groupId, '100') }, { token: stranger.token }))).toBe('NOT_FOUND');
      expect(codeOf(await server.gql(RenameGroupDocument, { id: groupId, name: 'mine' }, { token: stranger.token }))).toBe('NOT_FOUND');
      expect(codeOf(await server.gql(LeaveGroupDocument, { id: groupId }, { token: stranger.token }))).toBe('NOT_FOUND');
      expect(codeOf(await server.gql(InviteToGroupDocument, { groupId, username: stranger.user.username }, { token: stranger.token }))).toBe('NOT_FOUND');
      expect(codeOf(await server.gql(RecordOutsideSettlementDocument, { groupId, fromUserId: ana.user.id, amountMinor: '1' }, { token: stranger.token }))).toBe(
        'NOT_FOUND',
      );
    }
    for (const expenseId of [added.id, missing]) {
      expect(
        codeOf(await server.gql(UpdateGroupExpenseDocument, { id: expenseId, input: { description: 'x', expectedVersion: 1 } }, { token: stranger.token })),
      ).toBe('NOT_FOUND');
      expect(codeOf(await server.gql(DeleteGroupExpenseDocument, { id: expenseId, expectedVersion: 1 }, { token: stranger.token }))).toBe('NOT_FOUND');
    }
    for (const invitationId of [invitation.id, missing]) {
      expect(codeOf(await server.gql(RevokeInvitationDocument, { id: invitationId }, { token: stranger.token }))).toBe('NOT_FOUND');
      expect(codeOf(await server.gql(RespondToInvitationDocument, { id: invitationId, accept: true }, { token: stranger.token }))).toBe('NOT_FOUND');
    }
    const subscription = collect(server.ws(stranger.token), GroupEventsDocument, { groupId: id });
    await subscription.ended;
    expect(subscription.errors[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses leaving or removal while the balance is not zero, and allows it once settled; history stays with the others', async () => {
    const id = await groupOf(server, ana, [ben, eve]);
    await server.ok(
      AddGroupExpenseDocument,
      { input: { ...expense(id, '900'), shares: [{ userId: ana.user.id }, { userId: ben.user.id }] } },
      { token: ana.token },
    );
    expect(codeOf(await server.gql(LeaveGroupDocument, { id }, { token: ben.token }))).toBe('BALANCE_NOT_ZERO');
    expect(codeOf(await server.gql(RemoveGroupMemberDocument, { groupId: id, userId: ben.user.id }, { token: ana.token }))).toBe('BALANCE_NOT_ZERO');
    expect(codeOf(await server.gql(RemoveGroupMemberDocument, { groupId: id, userId: eve.user.id }, { token: ben.token }))).toBe('FORBIDDEN');
    expect(codeOf(await server.gql(RemoveGroupMemberDocument, { groupId: id, userId: '01890000-0000-7000-8000-000000000000' }, { token: ana.token }))).toBe(
      'NOT_A_MEMBER',
    );
    // Eve owes nothing: removed at once.
    await server.ok(RemoveGroupMemberDocument, { groupId: id, userId: eve.user.id }, { token: ana.token });
    expect(codeOf(await server.gql(GroupDocument, { id }, { token: eve.token }))).toBe('NOT_FOUND');
    await server.ok(RecordOutsideSettlementDocument, { groupId: id, fromUserId: ben.user.id, amountMinor: '450' }, { token: ana.token });
    expect((await server.ok(LeaveGroupDocument, { id }, { token: ben.token })).leaveGroup).toBe(true);
    const page = (await server.ok(GroupExpensesDocument, { id }, { token: ana.token })).group.expenses;
    expect(page.edges[0]!.node.shares.map((s) => s.user.username)).toEqual([ana.user.username, ben.user.username]);
  });

  it('hands OWNER to the longest-standing member when the last owner leaves', async () => {
    const id = await groupOf(server, ana, [ben, eve]);
    await server.ok(LeaveGroupDocument, { id }, { token: ana.token });
    const group = (await server.ok(GroupDocument, { id }, { token: eve.token })).group;
    expect(group.members.map((m) => [m.user.id, m.role])).toEqual([
      [ben.user.id, 'OWNER'],
      [eve.user.id, 'MEMBER'],
    ]);
  });

  it('streams member and expense changes to every member and ends the stream of a member who leaves', async () => {
    const id = await groupOf(server, ana, [ben]);
    const anaEvents = await server.subscribed(() => collect(server.ws(ana.token), GroupEventsDocument, { groupId: id }));
    const benEvents = await server.subscribed(() => collect(server.ws(ben.token), GroupEventsDocument, { groupId: id }));
    const added = (await server.ok(AddGroupExpenseDocument, { input: expense(id, '500') }, { token: ana.token })).addGroupExpense;
    await server.ok(DeleteGroupExpenseDocument, { id: added.id, expectedVersion: 1 }, { token: ben.token });
    await server.ok(LeaveGroupDocument, { id }, { token: ben.token });
    await benEvents.ended;
    expect(benEvents.events.map((e) => e.groupEvents.kind)).toEqual(['EXPENSE_ADDED', 'EXPENSE_DELETED', 'MEMBER_LEFT']);
    await server.ok(AddGroupExpenseDocument, { input: { ...expense(id, '100'), description: 'After' } }, { token: ana.token });
    const seen = await anaEvents.waitFor(4);
    expect(seen.map((e) => e.groupEvents.kind)).toEqual(['EXPENSE_ADDED', 'EXPENSE_DELETED', 'MEMBER_LEFT', 'EXPENSE_ADDED']);
    expect(seen[1]!.groupEvents.expense).toEqual({ id: added.id, version: 2 });
    expect(seen[2]!.groupEvents.member).toEqual({ id: ben.user.id });
    expect(benEvents.events).toHaveLength(3);
    anaEvents.stop();
  });
});

describe('the groups flag', () => {
  it('answers FEATURE_DISABLED for every groups operation while it is off', async () => {
    const off = await startTestServer({ env: { FEATURE_GROUPS: 'false' }, maintenance: false });
    try {
      const user = await registerUser(off);
      expect(codeOf(await off.gql(CreateGroupDocument, { input: { name: 'x', currency: 'USD' } }, { token: user.token }))).toBe('FEATURE_DISABLED');
      expect(codeOf(await off.gql(GroupsDocument, {}, { token: user.token }))).toBe('FEATURE_DISABLED');
      expect(codeOf(await off.gql(GroupInvitationsDocument, {}, { token: user.token }))).toBe('FEATURE_DISABLED');
    } finally {
      await off.stop();
    }
  });
});
