import type { EntityManager } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import type { Eraser } from '../../shared/erasure.js';
import { Role } from '../auth/user.entity.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import type { UserData } from '../../pubsub/topics.js';
import { groupDataOf, memberRows, membership, run } from './group.access.js';
import { publishGroupEvent } from './groups.events.js';
import { selectGroup, selectGroupsOf, selectPendingSettlement } from './groups.sql.js';
import { GroupEventKind } from './groups.types.js';

/**
 * Account deletion's check: the user's current groups, and the first where they still owe or
 * are owed money (or a settlement with them waits for its transfer). Each group's row is locked,
 * in id order, so no expense or settlement changes a balance before the deletion commits.
 */
export async function groupsAtDeletion(
  em: EntityManager,
  userId: string,
  now: Date,
): Promise<{ held: { groupId: string; name: string; balanceMinor: bigint } | null; groupIds: string[] }> {
  const auth = { userId, sessionId: 'account-deletion', role: Role.CUSTOMER };
  const groupIds: string[] = [];
  for (const g of await run(em, selectGroupsOf(userId))) {
    const { group } = await membership(em, auth, g.id as string, true);
    groupIds.push(group.id);
    const mine = (await memberRows(em, group.id)).find((m) => m.user.id === userId);
    const pending = (await run(em, selectPendingSettlement(group.id, userId, now))).length > 0;
    if ((mine && mine.balance !== 0n) || pending) return { held: { groupId: group.id, name: group.name, balanceMinor: mine?.balance ?? 0n }, groupIds };
  }
  return { held: null, groupIds };
}

/** After the deletion commits: each group's members hear that the user left (MEMBER_LEFT). */
export async function announceDeparture(em: EntityManager, pubsub: PubSub, groupIds: string[], member: UserData, at: Date): Promise<void> {
  for (const id of groupIds) {
    const [row] = await run(em, selectGroup(id));
    if (row) await publishGroupEvent(pubsub, GroupEventKind.MEMBER_LEFT, groupDataOf(row), at, { member });
  }
}

/**
 * Account deletion: the user leaves every group (the history stays, naming the anonymized
 * user); an only owner's place goes to the longest-standing member left; pending invitations
 * to or from them end. Runs after groupBalanceHeld found every balance zero.
 */
export const eraseGroups: Eraser = async (em, userId) => {
  await ormSql(
    em,
    `update "group_member" m set "role" = 'OWNER', "updated_at" = current_timestamp
      where m."id" in (
        select distinct on (o."group_id") o."id" from "group_member" o
         where o."left_at" is null and o."user_id" <> ?
           and o."group_id" in (select "group_id" from "group_member" where "user_id" = ? and "left_at" is null and "role" = 'OWNER')
           and not exists (select 1 from "group_member" x where x."group_id" = o."group_id" and x."left_at" is null and x."role" = 'OWNER' and x."user_id" <> ?)
         order by o."group_id", o."joined_at", o."user_id")`,
    [userId, userId, userId],
  );
  await ormSql(em, `update "group_member" set "left_at" = current_timestamp, "updated_at" = current_timestamp where "user_id" = ? and "left_at" is null`, [
    userId,
  ]);
  await ormSql(
    em,
    `update "group_invitation" set "status" = 'REVOKED', "updated_at" = current_timestamp where "status" = 'PENDING' and ("invited_user_id" = ? or "invited_by_id" = ?)`,
    [userId, userId],
  );
};
