import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import { isoOf, type Stmt } from '../../db/statement.js';
import type { GroupData, UserData } from '../../pubsub/topics.js';
import { DomainError, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { GroupRole } from './group.entity.js';
import { selectBalances, selectMembership, selectUsernames } from './groups.sql.js';

/*
 * Who may see a group (its current members) and what the members are owed: the reads every
 * groups service starts with. A group the caller is not in is NOT_FOUND, exactly as a missing one.
 */

type Row = Record<string, unknown>;

export interface Membership {
  group: GroupData;
  role: GroupRole;
}

export interface MemberRow {
  user: UserData;
  role: GroupRole;
  joinedAt: Date;
  balance: bigint;
}

export function run(em: EntityManager, s: Stmt): Promise<Row[]> {
  return ormSql<Row>(em, s.sql, s.params);
}

export function groupDataOf(r: Row): GroupData {
  return { id: r.id as string, name: r.name as string, currency: r.currency as string, createdAt: isoOf(r.created_at ?? r.createdAt) };
}

/** The caller's membership; `lock` (inside a transaction) makes the group's writes wait for each other. */
export async function membership(em: EntityManager, auth: AuthInfo, groupId: string, lock = false): Promise<Membership> {
  const [row] = isUuid(groupId) ? await run(em, selectMembership(groupId.toLowerCase(), auth.userId, lock)) : [];
  if (!row) throw notFound('Group');
  return { group: groupDataOf(row), role: row.role as GroupRole };
}

export async function memberRows(em: EntityManager, groupId: string): Promise<MemberRow[]> {
  return (await run(em, selectBalances(groupId))).map((r) => ({
    user: { id: r.user_id as string, username: r.username as string },
    role: r.role as GroupRole,
    joinedAt: new Date(isoOf(r.joined_at)),
    balance: BigInt(r.balance as string),
  }));
}

export async function usernames(em: EntityManager, ids: Iterable<string>): Promise<Map<string, UserData>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await run(em, selectUsernames(unique));
  return new Map(rows.map((r) => [r.id as string, { id: r.id as string, username: r.username as string }]));
}

/** The current member with this id; NOT_A_MEMBER for anyone else (a malformed id included). */
export function memberOf(members: readonly MemberRow[], userId: string): MemberRow {
  const found = isUuid(userId) ? members.find((m) => m.user.id === userId.toLowerCase()) : undefined;
  if (!found) throw new DomainError('NOT_A_MEMBER', 'That user is not a member of this group');
  return found;
}

export function requireOwner(m: Membership): void {
  if (m.role !== GroupRole.OWNER) throw new DomainError('FORBIDDEN', 'Only an owner of the group can do this');
}
