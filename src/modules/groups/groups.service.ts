import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import type { CoreDeps } from '../../deps.js';
import type { GroupData, GroupEventData, UserData } from '../../pubsub/topics.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { checkName } from '../../shared/input-rules.js';
import { money, parseCurrency } from '../../shared/money.js';
import { inTransaction } from '../../shared/transactions.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { ChatSession } from '../chat/chat-session.entity.js';
import type { ChatService } from '../chat/chat.service.js';
import { groupDataOf, memberOf, memberRows, membership, requireOwner, run, type MemberRow, type Membership } from './group.access.js';
import { isoOf } from '../../db/statement.js';
import { Group, GroupInvitation, GroupMember, GroupRole, InvitationStatus } from './group.entity.js';
import { publishGroupEvent, watchGroup } from './groups.events.js';
import type { CreateGroupInput } from './groups.inputs.js';
import { selectGroupsOf, selectPendingSettlement, selectSessionGroup } from './groups.sql.js';
import {
  GroupEventKind,
  groupView,
  type GroupInvitationView,
  type GroupMemberView,
  type GroupView,
  type MemberBalanceView,
  type SuggestedSettlementView,
} from './groups.types.js';
import { suggestSettlements } from './settle.rules.js';

type Deps = Pick<CoreDeps, 'clock' | 'pubsub' | 'flags'>;

/** Groups and who is in them: creating, inviting, joining, leaving; the balances every member sees. */
export class GroupsService {
  /** Per operation: a Group's fields (members, balances, suggestions) read the group once. */
  private readonly seen = new Map<string, Promise<Membership>>();
  private readonly rows = new Map<string, Promise<MemberRow[]>>();

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Deps,
    /** The group's conversation is a chat session (chat sits below groups). */
    private readonly chat: Pick<ChatService, 'startGroupSession'>,
  ) {}

  /** Every groups operation: FEATURE_DISABLED while the `groups` flag is off for the caller. */
  enabled(auth: AuthInfo): Promise<void> {
    return this.deps.flags.require('groups', { userId: auth.userId, role: auth.role });
  }

  async create(auth: AuthInfo, input: CreateGroupInput): Promise<GroupView> {
    await this.enabled(auth);
    checkName(input.name, 'name');
    const currency = parseCurrency(input.currency);
    const now = this.deps.clock.now();
    const group = Object.assign(new Group(), {
      name: input.name.trim(),
      currency,
      createdBy: this.em.getReference(User, auth.userId),
      createdAt: now,
      updatedAt: now,
    });
    group.chatSession = this.em.getReference(ChatSession, this.chat.startGroupSession(this.em, auth.userId, group.name, now).id, { wrapped: true });
    const owner = Object.assign(new GroupMember(), {
      group,
      user: this.em.getReference(User, auth.userId),
      role: GroupRole.OWNER,
      joinedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await this.em.persist([group, owner]).flush();
    return groupView(groupDataOf({ ...group, created_at: group.createdAt }));
  }

  async rename(auth: AuthInfo, id: string, name: string): Promise<GroupView> {
    await this.enabled(auth);
    checkName(name, 'name');
    if (name.trim().length > 100) throw badUserInput([{ field: 'name', message: 'must be 1 to 100 characters' }]);
    const group = await this.access(auth, id);
    await this.em.nativeUpdate(Group, { id: group.group.id }, { name: name.trim(), updatedAt: this.deps.clock.now() });
    return groupView({ ...group.group, name: name.trim() });
  }

  async list(auth: AuthInfo): Promise<GroupView[]> {
    await this.enabled(auth);
    return (await run(this.em, selectGroupsOf(auth.userId))).map((r) => groupView(groupDataOf(r)));
  }

  async get(auth: AuthInfo, id: string): Promise<GroupView> {
    await this.enabled(auth);
    return groupView((await this.access(auth, id)).group);
  }

  /**
   * After a write commits: what this operation read of the group is stale (a later field of the
   * same document reads it again), and every member hears of the change.
   */
  changed(kind: GroupEventKind, group: GroupData, at: Date, about: Parameters<typeof publishGroupEvent>[4]): Promise<void> {
    this.seen.delete(group.id);
    this.rows.delete(group.id);
    return publishGroupEvent(this.deps.pubsub, kind, group, at, about);
  }

  /** The caller's membership, read once per operation. */
  access(auth: AuthInfo, groupId: string): Promise<Membership> {
    const key = groupId.toLowerCase();
    let found = this.seen.get(key);
    if (!found) {
      found = membership(this.em, auth, key);
      this.seen.set(key, found);
    }
    return found;
  }

  private async memberRows(auth: AuthInfo, groupId: string): Promise<MemberRow[]> {
    const { group } = await this.access(auth, groupId);
    let rows = this.rows.get(group.id);
    if (!rows) {
      rows = memberRows(this.em, group.id);
      this.rows.set(group.id, rows);
    }
    return rows;
  }

  async members(auth: AuthInfo, groupId: string): Promise<GroupMemberView[]> {
    return (await this.memberRows(auth, groupId)).map((m) => ({ user: m.user, role: m.role, joinedAt: m.joinedAt }));
  }

  async balances(auth: AuthInfo, group: GroupView): Promise<MemberBalanceView[]> {
    return (await this.memberRows(auth, group.id)).map((m) => ({ user: m.user, balance: money(m.balance, group.currency) }));
  }

  async myBalance(auth: AuthInfo, group: GroupView): Promise<ReturnType<typeof money>> {
    const mine = (await this.memberRows(auth, group.id)).find((m) => m.user.id === auth.userId);
    return money(mine?.balance ?? 0n, group.currency);
  }

  async suggestions(auth: AuthInfo, group: GroupView): Promise<SuggestedSettlementView[]> {
    const rows = await this.memberRows(auth, group.id);
    const users = new Map(rows.map((m) => [m.user.id, m.user]));
    return suggestSettlements(rows.map((m) => ({ userId: m.user.id, balance: m.balance }))).map((s) => ({
      from: users.get(s.fromUserId)!,
      to: users.get(s.toUserId)!,
      amount: money(s.amount, group.currency),
    }));
  }

  /** The group whose conversation the session is (the agent's group tools); NOT_FOUND for anyone not a current member. */
  async bySession(auth: AuthInfo, sessionId: string): Promise<GroupView> {
    await this.enabled(auth);
    const [row] = isUuid(sessionId) ? await run(this.em, selectSessionGroup(sessionId.toLowerCase(), auth.userId)) : [];
    if (!row) throw notFound('Group');
    return this.get(auth, row.id as string);
  }

  /** The group's one conversation; a group made before conversations existed gets it on first read. */
  async chatSession(auth: AuthInfo, groupId: string): Promise<ChatSession> {
    const { group } = await this.access(auth, groupId);
    const found = await this.em.findOneOrFail(Group, group.id, { populate: ['chatSession'] });
    if (found.chatSession) return found.chatSession.getEntity();
    return inTransaction(this.em, async (em) => {
      await membership(em, auth, group.id, true);
      const locked = await em.findOneOrFail(Group, group.id, { populate: ['chatSession'], refresh: true });
      if (locked.chatSession) return locked.chatSession.getEntity();
      const session = this.chat.startGroupSession(em, locked.createdBy.id, locked.name, this.deps.clock.now());
      await em.flush();
      await em.nativeUpdate(Group, { id: group.id }, { chatSession: session.id });
      return session;
    });
  }

  // ---------- invitations ----------

  async invite(auth: AuthInfo, groupId: string, username: string): Promise<GroupInvitationView> {
    await this.enabled(auth);
    const invitation = await inTransaction(this.em, async (em) => {
      const m = await membership(em, auth, groupId, true);
      const user = await em.findOne(User, { usernameKey: username.trim().toLowerCase(), deletedAt: null });
      if (!user) throw notFound('User');
      if ((await memberRows(em, m.group.id)).some((r) => r.user.id === user.id))
        throw new DomainError('ALREADY_MEMBER', 'That user is already a member of this group');
      const pending = await em.findOne(
        GroupInvitation,
        { group: m.group.id, invitedUser: user.id, status: InvitationStatus.PENDING },
        { populate: ['group', 'invitedUser', 'invitedBy'] },
      );
      if (pending) return pending;
      const now = this.deps.clock.now();
      const created = Object.assign(new GroupInvitation(), {
        group: em.getReference(Group, m.group.id),
        invitedUser: em.getReference(User, user.id),
        invitedBy: em.getReference(User, auth.userId),
        createdAt: now,
        updatedAt: now,
      });
      await em.persist(created).flush();
      return em.findOneOrFail(GroupInvitation, created.id, { populate: ['group', 'invitedUser', 'invitedBy'], refresh: true });
    });
    return invitationView(invitation);
  }

  async invitations(auth: AuthInfo, status: InvitationStatus | null | undefined): Promise<GroupInvitationView[]> {
    await this.enabled(auth);
    const rows = await this.em.find(
      GroupInvitation,
      { $or: [{ invitedUser: auth.userId }, { invitedBy: auth.userId }], ...(status ? { status } : {}) },
      { populate: ['group', 'invitedUser', 'invitedBy'], orderBy: { id: 'asc' }, limit: 200 },
    );
    return rows.map(invitationView);
  }

  /** Accepting joins the group (again, for a former member). Only the invitee; a settled invitation is CONFLICT. */
  async respond(auth: AuthInfo, id: string, accept: boolean): Promise<GroupInvitationView> {
    await this.enabled(auth);
    const now = this.deps.clock.now();
    const done = await inTransaction(this.em, async (em) => {
      const invitation = await this.invitation(em, auth, id);
      if (invitation.invitedUser.id !== auth.userId) throw notFound('Invitation');
      pendingOrConflict(invitation);
      invitation.status = accept ? InvitationStatus.ACCEPTED : InvitationStatus.DECLINED;
      invitation.updatedAt = now;
      if (accept) {
        await ormSql(em, 'select "id" from "expense_group" where "id" = ? for update', [invitation.group.id]);
        const former = await em.findOne(GroupMember, { group: invitation.group.id, user: auth.userId });
        if (former && former.leftAt === null) throw new DomainError('ALREADY_MEMBER', 'You are already a member of this group');
        if (former) Object.assign(former, { leftAt: null, joinedAt: now, role: GroupRole.MEMBER, updatedAt: now });
        else
          em.persist(
            Object.assign(new GroupMember(), {
              group: invitation.group,
              user: invitation.invitedUser,
              role: GroupRole.MEMBER,
              joinedAt: now,
              createdAt: now,
              updatedAt: now,
            }),
          );
      }
      await em.flush();
      return invitation;
    });
    const view = invitationView(done);
    if (accept) await this.changed(GroupEventKind.MEMBER_JOINED, toData(view.group), now, { member: view.invitedUser });
    return view;
  }

  /** The inviter or an owner of the group; the invitee sees it but may only decline. */
  async revoke(auth: AuthInfo, id: string): Promise<GroupInvitationView> {
    await this.enabled(auth);
    const done = await inTransaction(this.em, async (em) => {
      const invitation = await this.invitation(em, auth, id);
      if (invitation.invitedBy.id !== auth.userId) {
        const owner = await em.findOne(GroupMember, { group: invitation.group.id, user: auth.userId, leftAt: null, role: GroupRole.OWNER });
        if (!owner) throw new DomainError('FORBIDDEN', 'Only the inviter or an owner of the group can revoke an invitation');
      }
      pendingOrConflict(invitation);
      invitation.status = InvitationStatus.REVOKED;
      invitation.updatedAt = this.deps.clock.now();
      await em.flush();
      return invitation;
    });
    return invitationView(done);
  }

  /** An invitation its invitee or inviter may see; NOT_FOUND for anyone else. */
  private async invitation(em: EntityManager, auth: AuthInfo, id: string): Promise<GroupInvitation> {
    const found = isUuid(id)
      ? await em.findOne(
          GroupInvitation,
          { id: id.toLowerCase(), $or: [{ invitedUser: auth.userId }, { invitedBy: auth.userId }] },
          { populate: ['group', 'invitedUser', 'invitedBy'] },
        )
      : null;
    if (!found) throw notFound('Invitation');
    return found;
  }

  // ---------- leaving ----------

  /** Refused while the caller's balance is not zero; the last owner hands OWNER to the longest-standing member. */
  async leave(auth: AuthInfo, id: string): Promise<boolean> {
    await this.enabled(auth);
    await this.depart(auth, id, auth.userId);
    return true;
  }

  /** OWNER only; refused while that member's balance is not zero. */
  async remove(auth: AuthInfo, groupId: string, userId: string): Promise<GroupView> {
    await this.enabled(auth);
    return groupView(await this.depart(auth, groupId, userId));
  }

  private async depart(auth: AuthInfo, groupId: string, userId: string) {
    const now = this.deps.clock.now();
    const { group, member } = await inTransaction(this.em, async (em) => {
      const m = await membership(em, auth, groupId, true);
      if (userId !== auth.userId) requireOwner(m);
      const rows = await memberRows(em, m.group.id);
      const leaving = memberOf(rows, userId);
      if (leaving.balance !== 0n) {
        throw new DomainError('BALANCE_NOT_ZERO', 'This member still owes or is owed money in the group: settle up first', {
          balanceMinor: leaving.balance.toString(),
        });
      }
      if ((await run(em, selectPendingSettlement(m.group.id, leaving.user.id, now))).length > 0) {
        throw new DomainError('BALANCE_NOT_ZERO', 'A settlement with this member waits for its transfer to be confirmed or cancelled');
      }
      await em.nativeUpdate(GroupMember, { group: m.group.id, user: leaving.user.id }, { leftAt: now, updatedAt: now });
      const others = rows.filter((r) => r.user.id !== leaving.user.id);
      // The group never goes on without an owner: the longest-standing member takes over.
      if (others.length > 0 && !others.some((r) => r.role === GroupRole.OWNER)) {
        await em.nativeUpdate(GroupMember, { group: m.group.id, user: others[0]!.user.id }, { role: GroupRole.OWNER, updatedAt: now });
      }
      return { group: m.group, member: leaving.user };
    });
    await this.changed(GroupEventKind.MEMBER_LEFT, group, now, { member });
    return group;
  }

  /** groupEvents: members only (NOT_FOUND otherwise); ends after the event that says the caller left. */
  async watch(auth: AuthInfo, groupId: string): Promise<AsyncIterableIterator<GroupEventData>> {
    await this.enabled(auth);
    const { group } = await membership(this.em, auth, groupId);
    return watchGroup(this.deps.pubsub, group.id, auth.userId);
  }
}

function pendingOrConflict(invitation: GroupInvitation): void {
  if (invitation.status !== InvitationStatus.PENDING) throw new DomainError('CONFLICT', `The invitation is already ${invitation.status}`);
}

const userData = (u: User): UserData => ({ id: u.id, username: u.username });

function toData(g: GroupView) {
  return { id: g.id, name: g.name, currency: g.currency, createdAt: isoOf(g.createdAt) };
}

function invitationView(i: GroupInvitation): GroupInvitationView {
  const group = i.group.getEntity();
  return {
    id: i.id,
    group: groupView({ id: group.id, name: group.name, currency: group.currency, createdAt: isoOf(group.createdAt) }),
    invitedUser: userData(i.invitedUser.getEntity()),
    invitedBy: userData(i.invitedBy.getEntity()),
    status: i.status,
    createdAt: i.createdAt,
  };
}
