import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { CoreDeps } from '../../deps.js';
import { notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { pageSize, toPage, uuidCursor, type Page } from '../../shared/pagination.js';
import type { AuthInfo, ClientInfo } from '../auth/auth.types.js';
import { Role } from '../auth/user.entity.js';
import { CHAIN_PENDING_SQL, insertAuditEvents, VERIFY_CHAIN_SQL, type AuditRow } from './audit.sql.js';
import type { AuditAction, AuditChainCheck, AuditEventView, AuditLogArgs } from './audit.types.js';
import { ormSql } from '../../db/orm-sql.js';

/** Rows verify chains per statement before it checks. */
const CHAIN_BATCH = 10_000;

/** What an event says beside its action and outcome. */
export interface AuditFacts {
  /** Whose trail (null: the system's). */
  userId: string | null;
  /** Who did it; defaults to userId. */
  actorId?: string | null;
  target?: string | null;
}

interface LogRow {
  id: string;
  at: Date;
  actor_id: string | null;
  actor_username: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
}

/**
 * The audit trail of one operation: makes its rows (with the caller's address and User-Agent)
 * for other services to write in their own transactions, and reads the trail back.
 */
export class AuditService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly client: ClientInfo | null,
  ) {}

  /** A row to write with what it records (never a secret: a target names ids only). */
  event(action: AuditAction, outcome: string, facts: AuditFacts): AuditRow {
    return {
      id: uuidv7(),
      at: this.deps.clock.now(),
      userId: facts.userId,
      actorId: facts.actorId === undefined ? facts.userId : facts.actorId,
      action,
      target: facts.target ?? null,
      outcome,
      ip: this.client?.ipAddress ?? null,
      userAgent: this.client?.userAgent ?? null,
    };
  }

  /** Writes rows through `em` (inside the caller's transaction when it is a transactional fork). */
  async record(em: EntityManager, ...rows: AuditRow[]): Promise<void> {
    if (rows.length === 0) return;
    const s = insertAuditEvents(rows);
    await ormSql(em, s.sql, s.params);
  }

  /** Writes rows on their own (what they record wrote nothing else). */
  recordAlone(...rows: AuditRow[]): Promise<void> {
    return this.record(this.em, ...rows);
  }

  /** The caller's trail, newest first; an OPERATOR may read anyone's. */
  async log(auth: AuthInfo, args: AuditLogArgs): Promise<Page<AuditEventView>> {
    const limit = pageSize(args.first);
    const cursor = uuidCursor(args.after);
    let userId = auth.userId;
    if (args.userId !== null && args.userId !== undefined && args.userId !== auth.userId) {
      if (auth.role !== Role.OPERATOR || !isUuid(args.userId)) throw notFound('User');
      userId = args.userId;
    }
    const where = ['e."user_id" = ?'];
    const params: unknown[] = [userId];
    if (args.action) {
      where.push('e."action" = ?');
      params.push(args.action.trim().toUpperCase());
    }
    const filter = where.join(' and ');
    const [rows, counted] = await Promise.all([
      ormSql<LogRow>(
        this.em,
        `select e."id", e."at", e."actor_id", u."username" as "actor_username", e."action", e."target", e."outcome", e."ip", e."user_agent"
         from "audit_event" e left join "app_user" u on u."id" = e."actor_id"
         where ${filter}${cursor ? ' and e."id" < ?' : ''} order by e."id" desc limit ?`,
        [...params, ...(cursor ? [cursor] : []), limit + 1],
      ),
      ormSql<{ n: number }>(this.em, `select count(*)::int as "n" from "audit_event" e where ${filter}`, params),
    ]);
    const views = rows.map((r): AuditEventView => ({
      id: r.id,
      at: new Date(r.at),
      actor: r.actor_id === null ? null : { id: r.actor_id, username: r.actor_username ?? 'unknown' },
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      ip: r.ip,
      userAgent: r.user_agent,
    }));
    return toPage(views, limit, (v) => [v.id], counted[0]?.n ?? 0, { forward: true, hadCursor: cursor !== null });
  }

  /** Chains what is still unchained, then recomputes every row's hash and link (OPERATOR). */
  async verify(): Promise<AuditChainCheck> {
    for (;;) {
      const [chained] = await ormSql<{ n: number }>(this.em, CHAIN_PENDING_SQL, [CHAIN_BATCH, true]);
      if ((chained?.n ?? 0) < CHAIN_BATCH) break;
    }
    const [row] = await ormSql<{ checked: number; first_broken_id: string | null }>(this.em, VERIFY_CHAIN_SQL);
    return { checked: row?.checked ?? 0, intact: !row?.first_broken_id, firstBrokenId: row?.first_broken_id ?? null };
  }
}
