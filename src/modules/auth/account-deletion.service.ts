import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { DomainError, badUserInput } from '../../shared/errors.js';
import type { RunCanceller } from '../agent/run-canceller.js';
import type { AuditService } from '../audit/audit.service.js';
import { AuditAction, SUCCEEDED } from '../audit/audit.types.js';
import type { AuthInfo } from './auth.types.js';
import { sessionEnded } from './session-check.js';
import { User } from './user.entity.js';

/**
 * What "personal content" means, table by table, in the order the foreign keys allow. Rows a
 * bank must keep (transfers, ledger entries, card payments, idempotency keys, the audit trail)
 * are not here: they stay, pointing at the anonymized user row. A new module with personal
 * rows adds its statement here.
 */
const ERASE: readonly string[] = [
  `delete from "plan_item" where "user_id" = ?`,
  `delete from "daily_plan" where "user_id" = ?`,
  `delete from "weekly_plan" where "user_id" = ?`,
  `delete from "agent_event_record" where "session_id" in (select "id" from "chat_session" where "user_id" = ?)`,
  `delete from "draft" where "session_id" in (select "id" from "chat_session" where "user_id" = ?)`,
  `delete from "journal_entry" where "user_id" = ?`,
  `update "chat_session" set "context_goal_id" = null where "user_id" = ?`,
  `delete from "message" where "session_id" in (select "id" from "chat_session" where "user_id" = ?)`,
  `delete from "agent_run" where "user_id" = ?`,
  `delete from "chat_session" where "user_id" = ?`,
  `delete from "goal" where "user_id" = ?`,
  `delete from "user_template" where "user_id" = ?`,
  `delete from "user_preferences" where "user_id" = ?`,
  `delete from "budget_alert" where "user_id" = ?`,
  `delete from "payment_jar_assignment" where "user_id" = ?`,
  `delete from "transaction_edit" where "user_id" = ?`,
  `delete from "categorization_rule" where "user_id" = ?`,
  `delete from "manual_transaction" where "user_id" = ?`,
  `delete from "linked_transaction" where "user_id" = ?`,
  `delete from "linked_account" where "user_id" = ?`,
  `delete from "link_session" where "user_id" = ?`,
  `delete from "linked_item" where "user_id" = ?`,
  `delete from "fee" where "user_id" = ?`,
  `delete from "jar" where "user_id" = ?`,
  `delete from "budget" where "user_id" = ?`,
  // Cards stay (their payments point at them), cancelled and without the user's label.
  `update "card" set "status" = 'CANCELLED', "label" = null where "user_id" = ?`,
  // Accounts stay (the ledger points at them), closed and without the user's name for them.
  `update "account" set "status" = 'CLOSED', "name" = 'Closed account' where "user_id" = ? and not "system"`,
  `delete from "refresh_token" where "session_id" in (select "id" from "auth_session" where "user_id" = ?)`,
  `delete from "auth_session" where "user_id" = ?`,
];

/** Why the user's runs ended: the reason their RunFinished carries. */
const RUNS_CANCELLED = { code: 'REVOKED', message: 'Cancelled: this account was deleted' };

/**
 * The right to leave: deleteMyAccount. Refused while money is left in an account; otherwise, in
 * one transaction, every session ends, personal content is erased, the user row is anonymized
 * (the username and email are freed for anyone to take) and the audit trail records it.
 */
export class AccountDeletionService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'passwords'>,
    private readonly agentRuns: Pick<RunCanceller, 'cancelRunsOfUser'>,
    private readonly audit: Pick<AuditService, 'event' | 'record'>,
    private readonly sessions: { announceRevoked(userId: string, sessionIds: string[]): Promise<void> },
  ) {}

  async deleteMyAccount(auth: AuthInfo, password: string): Promise<boolean> {
    const user = await this.em.findOne(User, { id: auth.userId }, { populate: ['passwordHash'] });
    if (!user || user.deletedAt) throw sessionEnded();
    if (!(await this.deps.passwords.verify(password, user.passwordHash))) {
      throw badUserInput([{ field: 'password', message: 'is not your current password' }]);
    }
    // Stop the runs first, so none writes into a session being erased.
    await this.agentRuns.cancelRunsOfUser(user.id, RUNS_CANCELLED);
    const now = this.deps.clock.now();
    const sessionIds = await this.em.transactional(async (em) => {
      // The user row locked: a transfer or a second deletion waits, and sees the account gone.
      await em.execute(`select 1 from "app_user" where "id" = ? for update`, [user.id]);
      const funded = await em.execute<Array<{ n: number }>>(
        `select count(*)::int as "n" from "account" where "user_id" = ? and not "system" and "status" = 'OPEN' and "balance" <> 0`,
        [user.id],
      );
      if ((funded[0]?.n ?? 0) > 0) {
        throw new DomainError(
          'ACCOUNT_NOT_EMPTY',
          'Money is still in your accounts: move it out (createTransfer) and close them (closeAccount) before deleting your account',
        );
      }
      const sessions = await em.execute<Array<{ id: string }>>(`select "id" from "auth_session" where "user_id" = ? and "revoked_at" is null`, [user.id]);
      for (const sql of ERASE) await em.execute(sql, [user.id], 'run');
      const anonymous = `deleted-${user.id}`;
      await em.execute(
        `update "app_user" set "username" = ?, "username_key" = ?, "email" = null, "email_key" = null, "password_hash" = '!', "deleted_at" = ?, "updated_at" = ? where "id" = ?`,
        [anonymous, anonymous, now, now, user.id],
        'run',
      );
      await this.audit.record(em, this.audit.event(AuditAction.ACCOUNT_DELETED, SUCCEEDED, { userId: user.id, target: `user:${user.id}` }));
      return sessions.map((s) => s.id);
    });
    // Open streams and sockets end on the revocation, on every instance.
    await this.sessions.announceRevoked(user.id, sessionIds);
    return true;
  }
}
