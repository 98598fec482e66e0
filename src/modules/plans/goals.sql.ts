import { isoOf, marks, stmt, type Stmt } from '../../db/statement.js';
import type { GoalData } from '../../pubsub/topics.js';

const ACHIEVE = `update "goal" g set "status" = 'ACHIEVED', "updated_at" = ?`;
const REACHED = `a."id" = g."account_id" and g."status" = 'ACTIVE' and g."target" is not null and a."balance" >= g."target"
     returning g.*, a."balance"::text as "balance_text"`;

/**
 * ACTIVE savings goals on these accounts whose balance reached the target become ACHIEVED.
 * The status guard makes it once-only: of concurrent postings, one update returns the row.
 */
export function achieveReached(accountIds: readonly string[], at: Date): Stmt {
  return stmt(`${ACHIEVE} from "account" a where g."account_id" in (${marks(accountIds.length)}) and ${REACHED}`, [at, ...accountIds]);
}

/** achieveReached on balances a posting is writing in the same statement (which would read the old ones). */
export function achieveReachedAt(balances: ReadonlyArray<{ accountId: string; balance: bigint }>, at: Date): Stmt {
  return stmt(`${ACHIEVE} from unnest(?::uuid[], ?::bigint[]) as a("id", "balance") where ${REACHED}`, [
    at,
    balances.map((b) => b.accountId),
    balances.map((b) => b.balance),
  ]);
}

export function goalDataOf(r: Record<string, unknown>): GoalData {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    title: r.title as string,
    description: r.description as string | null,
    horizon: r.horizon as string,
    status: r.status as string,
    priority: r.priority as string,
    targetDate: r.target_date as string | null,
    targetMinor: r.target === null ? null : String(r.target),
    currency: r.currency as string | null,
    accountId: r.account_id as string | null,
    balanceMinor: r.balance_text as string | null,
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
  };
}
