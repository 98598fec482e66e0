import { v7 as uuidv7 } from 'uuid';
import { marks, stmt, type Stmt } from '../../db/statement.js';

/** The user's plan rows for these days, created where missing (another request may create them first). */
export function ensureDays(userId: string, dates: readonly string[], at: Date): Stmt {
  return stmt(
    `insert into "daily_plan" ("id", "created_at", "updated_at", "user_id", "date")
     values ${dates.map(() => '(?, ?, ?, ?, ?)').join(', ')}
     on conflict ("user_id", "date") do nothing`,
    dates.flatMap((d) => [uuidv7(), at, at, userId, d]),
  );
}

/** The day rows, locked in id order: the lock that serialises every change to their items' order. */
export function lockDays(userId: string, dates: readonly string[]): Stmt {
  return stmt(`select "id", "date" from "daily_plan" where "user_id" = ? and "date" in (${marks(dates.length)}) order by "id" for update`, [userId, ...dates]);
}

/**
 * The goal an item is about to link, held until commit: a deleteGoal waits for the link, or
 * went first and this finds no row (NOT_FOUND rather than a foreign key violation).
 */
export function lockGoal(userId: string, goalId: string): Stmt {
  return stmt(`select "id" from "goal" where "id" = ? and "user_id" = ? for key share`, [goalId, userId]);
}

/** A day's items in order, read under its lock. */
export function itemOrder(dailyPlanId: string): Stmt {
  return stmt(`select "id" from "plan_item" where "daily_plan_id" = ? order by "position", "id"`, [dailyPlanId]);
}

/** Positions 0..n-1 in the given order, in one statement; rows already in place are not touched. */
export function renumber(order: readonly string[]): Stmt {
  return stmt(
    `update "plan_item" p set "position" = v."pos" from (values ${order.map(() => '(?::uuid, ?::int)').join(', ')}) as v("id", "pos")
     where p."id" = v."id" and p."position" <> v."pos"`,
    order.flatMap((id, i) => [id, i]),
  );
}

/** The item to another day at a position, whatever the ORM last read of it. */
export function moveItemTo(itemId: string, dailyPlanId: string, position: number, at: Date): Stmt {
  return stmt(`update "plan_item" set "daily_plan_id" = ?, "position" = ?, "updated_at" = ? where "id" = ?`, [dailyPlanId, position, at, itemId]);
}
