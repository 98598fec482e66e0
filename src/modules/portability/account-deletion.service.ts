import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { statementsEraser, type Eraser } from '../../shared/erasure.js';
import { DomainError, badUserInput } from '../../shared/errors.js';
import type { RunCanceller } from '../agent/run-canceller.js';
import type { AuditService } from '../audit/audit.service.js';
import { AuditAction, SUCCEEDED } from '../audit/audit.types.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { RUNS_CANCELLED } from '../auth/runs-cancelled.js';
import { sessionEnded } from '../auth/session-check.js';
import { User } from '../auth/user.entity.js';
import { ormSql } from '../../db/orm-sql.js';

/** The user's own sessions and refresh tokens, erased after every other module's part. */
const eraseSessions = statementsEraser([
  `delete from "refresh_token" where "session_id" in (select "id" from "auth_session" where "user_id" = ?)`,
  `delete from "auth_session" where "user_id" = ?`,
]);

/**
 * The right to leave: deleteMyAccount. Refused while money is left in an account; otherwise, in
 * one transaction, every session ends, personal content is erased, the user row is anonymized
 * (the username and email are freed for anyone to take) and the audit trail records it.
 * Each module erases its own rows: rows a bank must keep (transfers, ledger entries, card
 * payments, idempotency keys, the audit trail) stay, pointing at the anonymized user row.
 */
export class AccountDeletionService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'passwords'>,
    private readonly agentRuns: Pick<RunCanceller, 'cancelRunsOfUser'>,
    private readonly audit: Pick<AuditService, 'event' | 'record'>,
    private readonly sessions: { announceRevoked(userId: string, sessionIds: string[]): Promise<void> },
    private readonly accounts: { holdsMoney(em: EntityManager, userId: string): Promise<boolean> },
    /** The user's groups, locked, and the first where their balance is not zero; after commit, their departure told (groups/groups.erasure.ts). */
    private readonly groups: {
      check(
        em: EntityManager,
        userId: string,
        now: Date,
      ): Promise<{ held: { groupId: string; name: string; balanceMinor: bigint } | null; groupIds: string[] }>;
      announceLeft(groupIds: string[], member: { id: string; username: string }, at: Date): Promise<void>;
    },
    /** Every other module's part, in the order the foreign keys allow (services.ts). */
    private readonly erasers: readonly Eraser[],
  ) {}

  async deleteMyAccount(auth: AuthInfo, password: string): Promise<boolean> {
    const user = await this.em.findOne(User, { id: auth.userId }, { populate: ['passwordHash'] });
    if (!user || user.deletedAt) throw sessionEnded();
    if (!(await this.deps.passwords.verify(password, user.passwordHash))) {
      throw badUserInput([{ field: 'password', message: 'is not your current password' }]);
    }
    // Stop the runs first, so none writes into a session being erased.
    await this.agentRuns.cancelRunsOfUser(user.id, RUNS_CANCELLED.deleted);
    const now = this.deps.clock.now();
    const anonymous = `deleted-${user.id}`;
    const { sessionIds, groupIds } = await this.em.transactional(async (em) => {
      // The user row locked: a transfer or a second deletion waits, and sees the account gone.
      await ormSql(em, `select 1 from "app_user" where "id" = ? for update`, [user.id]);
      if (await this.accounts.holdsMoney(em, user.id)) {
        throw new DomainError(
          'ACCOUNT_NOT_EMPTY',
          'Money is still in your accounts: move it out (createTransfer) and close them (closeAccount) before deleting your account',
        );
      }
      const { held, groupIds } = await this.groups.check(em, user.id, now);
      if (held) {
        throw new DomainError(
          'BALANCE_NOT_ZERO',
          `You still owe or are owed money in the group "${held.name}": settle up there (suggestedSettlements) before deleting your account`,
          { groupId: held.groupId, balanceMinor: held.balanceMinor.toString() },
        );
      }
      const sessions = await ormSql<{ id: string }>(em, `select "id" from "auth_session" where "user_id" = ? and "revoked_at" is null`, [user.id]);
      for (const erase of [...this.erasers, eraseSessions]) await erase(em, user.id);
      await ormSql(
        em,
        `update "app_user" set "username" = ?, "username_key" = ?, "email" = null, "email_key" = null, "password_hash" = '!', "deleted_at" = ?, "updated_at" = ? where "id" = ?`,
        [anonymous, anonymous, now, now, user.id],
      );
      await this.audit.record(em, this.audit.event(AuditAction.ACCOUNT_DELETED, SUCCEEDED, { userId: user.id, target: `user:${user.id}` }));
      return { sessionIds: sessions.map((s) => s.id), groupIds };
    });
    // Open streams and sockets end on the revocation, on every instance.
    await this.sessions.announceRevoked(user.id, sessionIds);
    await this.groups.announceLeft(groupIds, { id: user.id, username: anonymous }, now);
    return true;
  }
}
