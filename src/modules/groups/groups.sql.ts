import { marks, stmt, type Stmt } from '../../db/statement.js';

/*
 * The groups' statements past the ORM: `?` placeholders, values bound by the ORM's driver.
 * Balances and members come in one statement whatever the number of expenses.
 */

const GROUP_COLUMNS = `g."id", g."name", g."currency", g."created_at"`;

/** The group if the user is a current member of it, with their role; `lock` serialises the group's writes. */
export function selectMembership(groupId: string, userId: string, lock: boolean): Stmt {
  return stmt(
    `select ${GROUP_COLUMNS}, m."role" from "expense_group" g
       join "group_member" m on m."group_id" = g."id" and m."user_id" = ? and m."left_at" is null
      where g."id" = ?${lock ? ' for update of g' : ''}`,
    [userId, groupId],
  );
}

/** A group by id, whoever asks (callers checked access). */
export function selectGroup(groupId: string): Stmt {
  return stmt(`select ${GROUP_COLUMNS} from "expense_group" g where g."id" = ?`, [groupId]);
}

/** The caller's groups, oldest first. */
export function selectGroupsOf(userId: string): Stmt {
  return stmt(
    `select ${GROUP_COLUMNS} from "expense_group" g
       join "group_member" m on m."group_id" = g."id" and m."user_id" = ? and m."left_at" is null
      order by g."id"`,
    [userId],
  );
}

/**
 * Every current member with their balance: paid minus owed over the expenses not deleted (kept
 * on the member's row by every expense write), plus settled payments made, minus settled
 * payments received. In join order; its cost grows with the members and settlements, not the expenses.
 */
export function selectBalances(groupId: string): Stmt {
  return stmt(
    `with "settled" as (
       select "from_user_id" as "user_id", "amount" from "group_settlement" where "group_id" = ? and "status" = 'SETTLED'
       union all
       select "to_user_id", -"amount" from "group_settlement" where "group_id" = ? and "status" = 'SETTLED'
     ), "sums" as (select "user_id", sum("amount") as "balance" from "settled" group by "user_id")
     select m."user_id", u."username", m."role", m."joined_at", (m."expense_balance" + coalesce(s."balance", 0))::text as "balance"
       from "group_member" m join "app_user" u on u."id" = m."user_id" left join "sums" s on s."user_id" = m."user_id"
      where m."group_id" = ? and m."left_at" is null
      order by m."joined_at", m."user_id"`,
    [groupId, groupId, groupId],
  );
}

/**
 * An expense write's move of its members' balances (paid minus owed), in its transaction and
 * under the group's lock; one statement whatever the number of members, the rows moved returned.
 */
export function moveExpenseBalances(groupId: string, deltas: ReadonlyMap<string, bigint>): Stmt {
  const rows = [...deltas].map(([userId, delta]) => ({ user_id: userId, delta: delta.toString() }));
  return stmt(
    `update "group_member" m set "expense_balance" = m."expense_balance" + d."delta"
       from jsonb_to_recordset(?::jsonb) d("user_id" uuid, "delta" bigint)
      where m."group_id" = ? and m."user_id" = d."user_id"
      returning m."user_id"`,
    [JSON.stringify(rows), groupId],
  );
}

/** Whether a settlement to or from the user still waits on a transfer that may post (so move their balance). */
export function selectPendingSettlement(groupId: string, userId: string, now: Date): Stmt {
  return stmt(
    `select s."id" from "group_settlement" s
       left join "idempotency_key" k on s."transfer_id" is null and k."user_id" = s."from_user_id" and k."key" = s."id"::text
       join "transfer" t on t."id" = coalesce(s."transfer_id", k."transfer_id")
      where s."group_id" = ? and s."status" = 'PROPOSED' and (s."from_user_id" = ? or s."to_user_id" = ?)
        and t."status" = 'PENDING_CONFIRMATION' and (t."expires_at" is null or t."expires_at" > ?)
      limit 1`,
    [groupId, userId, userId, now],
  );
}

export function selectUsernames(ids: readonly string[]): Stmt {
  return stmt(`select "id", "username" from "app_user" where "id" in (${marks(ids.length)})`, [...ids]);
}

/**
 * A page of settlements, newest first, with what their transfer says (a cancelled or expired one
 * cancels them); a transfer whose proposal's reply was lost is found by its key, the settlement's id.
 */
export function selectSettlements(groupId: string, before: string | null, limit: number): Stmt {
  return stmt(
    `select s."id", s."from_user_id", s."to_user_id", s."amount"::text as "amount", s."status", t."id" as "transfer_id", s."created_at",
            t."status" as "transfer_status", t."expires_at" as "transfer_expires_at"
       from "group_settlement" s
       left join "idempotency_key" k on s."transfer_id" is null and k."user_id" = s."from_user_id" and k."key" = s."id"::text
       left join "transfer" t on t."id" = coalesce(s."transfer_id", k."transfer_id")
      where s."group_id" = ?${before ? ' and s."id" < ?' : ''}
      order by s."id" desc limit ?`,
    before ? [groupId, before, limit] : [groupId, limit],
  );
}

/**
 * In a posting's own transaction: settlements whose transfer just posted become SETTLED. A
 * settlement's transfer carries its id as the idempotency key, so it is found even if the
 * proposal's reply never came back; the status guard makes it once-only.
 */
export function settlePosted(transferIds: readonly string[], at: Date): Stmt {
  return stmt(
    `update "group_settlement" s set "status" = 'SETTLED', "transfer_id" = k."transfer_id", "updated_at" = ?
       from "idempotency_key" k
      where s."status" = 'PROPOSED' and k."transfer_id" = any(?::uuid[])
        and k."user_id" = s."from_user_id" and k."key" = s."id"::text
      returning s."id", s."group_id", s."updated_at", s."from_user_id", s."to_user_id", s."amount"::text as "amount", s."transfer_id", s."created_at",
        (select row_to_json(x) from (select g."id", g."name", g."currency", g."created_at" as "createdAt" from "expense_group" g where g."id" = s."group_id") x) as "group",
        (select u."username" from "app_user" u where u."id" = s."from_user_id") as "from_username",
        (select u."username" from "app_user" u where u."id" = s."to_user_id") as "to_username"`,
    [at, [...transferIds]],
  );
}

/** The group whose conversation the session is, if the user is a current member of it. */
export function selectSessionGroup(sessionId: string, userId: string): Stmt {
  return stmt(
    `select g."id" from "expense_group" g
       join "group_member" m on m."group_id" = g."id" and m."user_id" = ? and m."left_at" is null
      where g."chat_session_id" = ?`,
    [userId, sessionId],
  );
}

/** The conversations of the user's current groups. */
export function selectSessionsOf(userId: string): Stmt {
  return stmt(
    `select g."chat_session_id" as "id" from "expense_group" g
       join "group_member" m on m."group_id" = g."id" and m."user_id" = ? and m."left_at" is null
      where g."chat_session_id" is not null`,
    [userId],
  );
}
