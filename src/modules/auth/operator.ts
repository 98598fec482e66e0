import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import type { PlainSql } from '../../db/pg.js';
import { DomainError, notFound } from '../../shared/errors.js';
import type { AuthService } from './auth.service.js';
import type { PasswordHasher } from './passwords.js';
import { AuthAction, type AuthTrail } from './auth.trail.js';
import { RUNS_CANCELLED } from './runs-cancelled.js';
import { withUniqueErrors } from './unique-names.js';
import { type Role, User } from './user.entity.js';

/** Start-up was asked to give an existing user a role it does not have: it never does. */
export class RoleConflictError extends Error {
  constructor(
    readonly username: string,
    readonly role: Role,
    readonly wanted: Role,
  ) {
    super(`the existing user "${username}" is ${role}, not ${wanted}`);
    this.name = 'RoleConflictError';
  }
}

/** A password checked against the hash stored for a user, begun before the ORM could read it. */
export interface PasswordCheck {
  hash: string;
  matches: Promise<boolean>;
}

/**
 * Reads the user's stored hash past the ORM and starts checking the password against it (bcrypt,
 * on the thread pool): a restart waits for the operator's check longest (~220 ms at cost 12), and
 * begun before MikroORM.init it runs while the ORM discovers its entities (synchronous work, which
 * would hold back the read's answer). Undefined when there is no such user or no table yet (a
 * first start): ensureUser then checks as usual.
 */
export async function beginPasswordCheck(
  sql: PlainSql,
  passwords: Pick<PasswordHasher, 'verify'>,
  username: string,
  password: string,
): Promise<PasswordCheck | undefined> {
  const found = await sql
    .execute<{ password_hash: string }>('select password_hash from app_user where username_key = $1', [username.toLowerCase()])
    .catch(() => []);
  const hash = found[0]?.password_hash;
  if (hash === undefined) return undefined;
  const matches = passwords.verify(password, hash);
  // Awaited by ensureUser, or never if the hash changed meanwhile.
  matches.catch(() => undefined);
  return { hash, matches };
}

/** Users made or changed by start-up and scripts, never by a caller of the API: the operator, the demo users, promote-user. */
export class OperatorProvisioning {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'passwords'>,
    private readonly sessions: Pick<AuthService, 'endEverySession'>,
    private readonly audit: Pick<AuthTrail, 'event' | 'record'>,
  ) {}

  /**
   * Makes sure this user exists with this role and password. Never changes the role of an
   * existing user (someone may have registered the name first): RoleConflictError.
   * A password reset here ends every session of the user. `checked`: this password's check
   * against a stored hash, begun earlier (beginPasswordCheck); used only if the hash is the same.
   */
  async ensureUser(username: string, password: string, role: Role, raced = false, checked?: PasswordCheck): Promise<User> {
    const existing = await this.em.findOne(User, { usernameKey: username.toLowerCase() }, { populate: ['passwordHash'] });
    if (existing) {
      if (existing.role !== role) throw new RoleConflictError(existing.username, existing.role, role);
      const matches = checked?.hash === existing.passwordHash ? checked.matches : this.deps.passwords.verify(password, existing.passwordHash);
      if (!(await matches)) {
        existing.passwordHash = await this.deps.passwords.hash(password);
        await this.em.flush();
        await this.sessions.endEverySession(existing.id, 'password reset at start-up', RUNS_CANCELLED.password);
      }
      return existing;
    }
    const user = new User(username, await this.deps.passwords.hash(password));
    user.role = role;
    // Inserted on a fork of its own: a failed insert must not stay queued in this one.
    const own = this.em.fork();
    try {
      await withUniqueErrors(() => own.persistAndFlush(user));
    } catch (error) {
      // Instances of a fleet starting together race here: the one that lost takes the winner's row, as a later start would.
      if (!raced && error instanceof DomainError && error.code === 'USERNAME_TAKEN') return this.ensureUser(username, password, role, true);
      throw error;
    }
    return this.em.merge(user);
  }

  /**
   * A deliberate role change (scripts/promote-user.ts): ends every session, refresh token,
   * subscription and agent run of the user, so nothing keeps acting under the old role.
   */
  async changeRole(username: string, role: Role): Promise<{ user: User; sessionsRevoked: number; runsCancelled: number }> {
    const user = await this.em.findOne(User, { usernameKey: username.toLowerCase() });
    if (!user) throw notFound(`User "${username}"`);
    if (user.role !== role) {
      const from = user.role;
      user.role = role;
      // Run by a script: the system is the actor.
      const row = this.audit.event(AuthAction.ROLE_CHANGED, `${from}->${role}`, { userId: user.id, actorId: null, target: `user:${user.id}` });
      await this.em.transactional((em) => this.audit.record(em, row));
    }
    const ended = await this.sessions.endEverySession(user.id, `role changed to ${role}`, RUNS_CANCELLED.role);
    return { user, ...ended };
  }
}
