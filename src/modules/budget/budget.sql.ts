import { marks, stmt, type Stmt } from '../../db/statement.js';

/*
 * The budget's own statements (payments' jars, alerts, the budget lock), as plain SQL (run with db/orm-sql.ts: values bound).
 * A payment's jar is its assignment's, else the unarchived jar holding its category: the
 * EFFECTIVE_JAR joins below are that rule, in one place. int8 arrives as a digit string.
 */

const EFFECTIVE_JAR = `
  left join "payment_jar_assignment" a on a."payment_id" = p."id"
  left join "jar" cj on a."id" is null and cj."user_id" = p."user_id" and not cj."archived" and p."category"::text = any(cj."categories")`;

const SPENDING = `p."user_id" = ? and p."status" = 'APPROVED' and p."currency" = ? and p."created_at" >= ? and p."created_at" < ?`;

/** Each payment's effective jar (null: none); declined payments count in no jar. */
export function selectPaymentJars(paymentIds: readonly string[]): Stmt {
  return stmt(
    `select p."id", case when p."status" = 'APPROVED' then coalesce(a."jar_id", cj."id") end as "jar_id" from "card_payment" p ${EFFECTIVE_JAR}
     where p."id" in (${marks(paymentIds.length)})`,
    [...paymentIds],
  );
}

/** A page of the jar's payments in [from, to), newest first, keyset on (created_at, id); one row more than the page, each with the jar's total (one row with a null id when the page is empty). */
export function selectJarPaymentIds(
  jarId: string,
  userId: string,
  currency: string,
  from: Date,
  to: Date,
  after: { at: Date; id: string } | null,
  limit: number,
): Stmt {
  const keyset = after ? `where ("created_at", "id") < (?, ?)` : '';
  return stmt(
    `with jp as (select p."id", p."created_at" from "card_payment" p ${EFFECTIVE_JAR} where ${SPENDING} and coalesce(a."jar_id", cj."id") = ?)
     select pg."id", t."total" from (select count(*)::int as "total" from jp) t
     left join (select "id", "created_at" from jp ${keyset} order by "created_at" desc, "id" desc limit ?) pg on true
     order by pg."created_at" desc, pg."id" desc`,
    [userId, currency, from, to, jarId, ...(after ? [after.at, after.id] : []), limit + 1],
  );
}

/** Serialises the user's budget writes (jars, income, fees) so the checks across jars hold. */
export function lockBudget(userId: string): Stmt {
  return stmt(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`budget:${userId}`]);
}

/** The once-per-jar-and-month claim: a row back means this call sends the alert. */
export function claimAlert(row: { id: string; userId: string; jarId: string; month: string; allocated: bigint; spent: bigint; at: Date }): Stmt {
  return stmt(
    `insert into "budget_alert" ("id", "created_at", "updated_at", "user_id", "jar_id", "month", "allocated", "spent") values (${marks(8)})
     on conflict ("jar_id", "month") do nothing returning "id"`,
    [row.id, row.at, row.at, row.userId, row.jarId, row.month, row.allocated.toString(), row.spent.toString()],
  );
}

/** One statement, so concurrent moves of one payment leave exactly one row (the last write). */
export function upsertAssignment(row: { id: string; paymentId: string; userId: string; jarId: string; at: Date }): Stmt {
  return stmt(
    `insert into "payment_jar_assignment" ("id", "created_at", "updated_at", "payment_id", "user_id", "jar_id") values (${marks(6)})
     on conflict ("payment_id") do update set "jar_id" = excluded."jar_id", "updated_at" = excluded."updated_at"`,
    [row.id, row.at, row.at, row.paymentId, row.userId, row.jarId],
  );
}

export function deleteAssignment(paymentId: string): Stmt {
  return stmt(`delete from "payment_jar_assignment" where "payment_id" = ?`, [paymentId]);
}
