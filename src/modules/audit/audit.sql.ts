import { stmt, unnestRows, type Stmt } from '../../db/statement.js';

/*
 * The audit trail's statements. A row is written in the transaction of what it records, as one
 * more statement of that transaction (on the money path, one more write of the commit's single
 * statement), as a plain insert. Its place in its chain (seq, prev_hash, hash) is given after commit by the
 * database function "audit_event_chain_pending" (audit-chainer.ts, and verifyAuditChain).
 */

/** The chain of the events with no user: start-ups, sign-ins to unknown names. */
export const SYSTEM_CHAIN = 'system';

export interface AuditRow {
  id: string;
  at: Date;
  /** Whose trail (null: the system's). */
  userId: string | null;
  actorId: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
}

/** Several events in one statement, unchained. */
export function insertAuditEvents(rows: AuditRow[]): Stmt {
  const v = unnestRows(rows, [
    ['uuid', (r) => r.id],
    ['timestamptz', (r) => r.at],
    ['uuid', (r) => r.userId],
    ['uuid', (r) => r.actorId],
    ['text', (r) => r.action],
    ['text', (r) => r.target],
    ['text', (r) => r.outcome],
    ['text', (r) => r.ip],
    ['text', (r) => r.userAgent],
    ['text', (r) => chainOf(r)],
  ]);
  return stmt(
    `insert into "audit_event" ("id", "at", "user_id", "actor_id", "action", "target", "outcome", "ip", "user_agent", "chain")
     select "id", "at", "user_id", "actor_id", "action", "target", "outcome", "ip", "user_agent", "chain"
       from ${v.sql} as v("id", "at", "user_id", "actor_id", "action", "target", "outcome", "ip", "user_agent", "chain", "n")`,
    v.params,
  );
}

/**
 * Chains up to `?` unchained rows, oldest first, and returns how many; the second parameter says
 * whether to wait for another chainer (true) or skip when one is at work (false).
 */
export const CHAIN_PENDING_SQL = `select "audit_event_chain_pending"(?, ?) as "n"`;

export function chainOf(row: Pick<AuditRow, 'userId'>): string {
  return row.userId ?? SYSTEM_CHAIN;
}

/**
 * Every chained row with whether it follows: its hash recomputed from its content, its prev_hash
 * equal to the hash of the row before it in its chain, its seq one more. A row edited by hand
 * fails the first; a removed row breaks the next one's link. First break by time first.
 */
export const VERIFY_CHAIN_SQL = `
  with checked as (
    select e."id", e."at",
      e."hash" = "audit_event_digest"(e."prev_hash", e)
        and e."prev_hash" = coalesce(lag(e."hash") over w, repeat('0', 64))
        and e."seq" = coalesce(lag(e."seq") over w, 0) + 1 as ok
    from "audit_event" e
    where e."hash" is not null
    window w as (partition by e."chain" order by e."seq")
  )
  select count(*)::int as "checked",
    (select c2."id" from checked c2 where not c2.ok order by c2."at", c2."id" limit 1) as "first_broken_id"
  from checked`;
