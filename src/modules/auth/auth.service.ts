import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config/config.js';
import type { CoreDeps } from '../../deps.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { Topic, type AuthSessionEventPayload } from '../../pubsub/topics.js';
import { AuthAction, SUCCEEDED, type AuthTrail, type RunStopper } from './auth.trail.js';
import { AuthSession } from './auth-session.entity.js';
import type { ChangePasswordInput, LoginInput, RegisterInput } from './auth.inputs.js';
import type { AuthInfo, AuthPayload, ClientInfo } from './auth.types.js';
import { RefreshToken } from './refresh-token.entity.js';
import type { UserView } from './session-cache.js';
import { authenticateBearer, sessionEnded } from './session-check.js';
import { RUNS_CANCELLED, type RunsCancelled } from './runs-cancelled.js';
import { hashToken, newRefreshToken, signAccessToken, successorRefreshToken } from './tokens.js';
import { emailTaken, usernameTaken, withUniqueErrors } from './unique-names.js';
import { type Role, User } from './user.entity.js';

const LOGIN_WINDOW_SEC = 15 * 60;
const INVALID_CREDENTIALS = 'Invalid credentials';
const tooManyAttempts = (retryAfter: number, what: string) =>
  new DomainError('RATE_LIMITED', `Too many ${what}: try again in ${retryAfter} seconds`, { retryAfter });

export type AuthDeps = Pick<CoreDeps, 'clock' | 'pubsub' | 'passwords' | 'rateLimiter' | 'sessionCache' | 'plainSql'> & {
  config: Pick<Config, 'jwt' | 'refreshTtlSec' | 'refreshGraceSec' | 'loginMaxFailuresPerUser' | 'loginMaxFailuresPerIp' | 'operator'>;
};

export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: AuthDeps,
    private readonly agentRuns: RunStopper,
    private readonly audit: AuthTrail,
  ) {}

  async register(input: RegisterInput, client: ClientInfo): Promise<AuthPayload> {
    const email = input.email?.trim() || null;
    // The operator's name stays reserved even where no row holds it (yet, or any more).
    if (this.isReserved(input.username)) throw usernameTaken();
    const passwordHash = await this.deps.passwords.hash(input.password);
    const payload = await withUniqueErrors(() =>
      this.em.transactional(async (em) => {
        const taken = await em.findOne(User, { usernameKey: input.username.toLowerCase() }, { fields: ['id'] });
        if (taken) throw usernameTaken();
        if (email && (await em.findOne(User, { emailKey: email.toLowerCase() }, { fields: ['id'] }))) throw emailTaken();
        const user = new User(input.username, passwordHash, email);
        em.persist(user);
        const opened = this.openSession(em, user, client);
        await this.audit.record(em, this.audit.event(AuthAction.USER_REGISTERED, SUCCEEDED, { userId: user.id, target: `session:${opened.session.id}` }));
        return opened;
      }),
    );
    await this.publishSessionEvent('CREATED', payload.session, payload.user.id);
    return payload;
  }

  async login(input: LoginInput, client: ClientInfo): Promise<AuthPayload> {
    const { rateLimiter: limiter, config } = this.deps;
    const userKey = `login:user:${input.username.toLowerCase()}`;
    const ipKey = `login:ip:${client.ipAddress ?? 'unknown'}`;
    // Counted before the password check, in one atomic step each: parallel guesses cannot
    // all slip under the limit. A success gives its counts back.
    const [userWait, ipWait] = await Promise.all([
      limiter.consume(userKey, config.loginMaxFailuresPerUser, LOGIN_WINDOW_SEC),
      limiter.consume(ipKey, config.loginMaxFailuresPerIp, LOGIN_WINDOW_SEC),
    ]);
    const key = input.username.toLowerCase();
    const user = await this.em.findOne(User, key.includes('@') ? { emailKey: key } : { usernameKey: key }, {
      populate: ['passwordHash'],
    });
    const retryAfter = Math.max(userWait, ipWait);
    if (retryAfter > 0) {
      await this.audit.recordAlone(this.audit.event(AuthAction.LOGIN_LOCKED_OUT, 'RATE_LIMITED', { userId: user?.id ?? null, actorId: null }));
      throw tooManyAttempts(retryAfter, 'failed sign-ins');
    }

    const ok = user ? await this.deps.passwords.verify(input.password, user.passwordHash) : await this.deps.passwords.verifyNobody(input.password);
    if (!user || !ok) {
      // An unknown name goes to the system's trail, without the name: it may be someone's password typed in the wrong box.
      await this.audit.recordAlone(this.audit.event(AuthAction.LOGIN_FAILED, 'INVALID_CREDENTIALS', { userId: user?.id ?? null, actorId: null }));
      throw new DomainError('UNAUTHENTICATED', INVALID_CREDENTIALS);
    }
    await Promise.all([limiter.reset(userKey), limiter.release(ipKey)]);
    await this.upgradeHash(user, input.password);
    const payload = await this.em.transactional(async (em) => {
      const opened = this.openSession(em, user, client);
      await this.audit.record(em, this.audit.event(AuthAction.LOGIN_SUCCEEDED, SUCCEEDED, { userId: user.id, target: `session:${opened.session.id}` }));
      return opened;
    });
    await this.publishSessionEvent('CREATED', payload.session, user.id);
    return payload;
  }

  /**
   * Rotates the refresh token. A rotated one presented again within REFRESH_TOKEN_GRACE_SECONDS
   * (two tabs refreshing at once) gets the very pair its rotation issued, so the racers share one
   * session; presented later, it is taken for a stolen token and the session is revoked.
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<AuthPayload> {
    const now = this.deps.clock.now();
    const invalid = () => new DomainError('UNAUTHENTICATED', 'Refresh token is not valid: sign in again');
    const outcome = await this.em.transactional(async (em) => {
      // Locking the token row makes concurrent refreshes with one token rotate once, the others wait and see it rotated.
      const token = await em.findOne(RefreshToken, { tokenHash: hashToken(refreshToken) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!token) return { error: invalid() };
      const session = await em.findOneOrFail(AuthSession, { id: token.session.id }, { populate: ['user'] });
      if (!session.isActive(now)) return { error: invalid() };
      const successor = successorRefreshToken(this.deps.config.jwt, refreshToken);
      if (token.rotatedAt) {
        const again = now.getTime() - token.rotatedAt.getTime() <= this.deps.config.refreshGraceSec * 1000;
        const issued = again ? await em.findOne(RefreshToken, { tokenHash: hashToken(successor), session: session.id, rotatedAt: null }) : null;
        if (issued) return { payload: this.issueTokens(em, session.user.getEntity(), session, token.rotatedAt, successor, false) };
        session.revokedAt = now;
        session.revokedReason = 'refresh token reused';
        await this.audit.record(
          em,
          this.audit.event(AuthAction.REFRESH_TOKEN_REUSED, 'SESSION_REVOKED', { userId: session.user.id, actorId: null, target: `session:${session.id}` }),
        );
        return { error: invalid(), revoked: session };
      }
      token.rotatedAt = now;
      session.lastSeenAt = now;
      if (client.userAgent) session.userAgent = client.userAgent;
      if (client.ipAddress) session.ipAddress = client.ipAddress;
      return { payload: this.issueTokens(em, session.user.getEntity(), session, now, successor) };
    });
    if (outcome.revoked) await this.publishRevoked(outcome.revoked.user.id, [outcome.revoked.id]);
    if (outcome.error) throw outcome.error;
    return outcome.payload;
  }

  /**
   * Resolves a bearer token to a caller, checking that its session is still live: from the
   * session cache when this instance read the row less than SESSION_CACHE_MS ago, else with
   * one indexed lookup.
   */
  async authenticate(accessToken: string): Promise<AuthInfo> {
    return authenticateBearer(this.deps, accessToken);
  }

  watchSessionEvents(auth: AuthInfo): AsyncIterableIterator<AuthSessionEventPayload> {
    return this.deps.pubsub.subscribe(Topic.AUTH_SESSION, auth.userId);
  }

  /** The hottest read (every `me`): the user read with the session when the cache holds it, else one plain select. */
  async me(auth: AuthInfo): Promise<UserView> {
    const cached = this.deps.sessionCache.get(auth.sessionId, this.deps.clock.now().getTime());
    if (cached && cached.userId === auth.userId) return cached.user;
    const [row] = await this.deps.plainSql.execute<{ id: string; created_at: Date; username: string; email: string | null; role: Role }>(
      'select "id", "created_at", "username", "email", "role" from "app_user" where "id" = ?',
      [auth.userId],
    );
    if (!row) throw sessionEnded();
    return { id: row.id, createdAt: row.created_at, username: row.username, email: row.email, role: row.role };
  }

  sessions(auth: AuthInfo): Promise<AuthSession[]> {
    const now = this.deps.clock.now();
    return this.em.find(AuthSession, { user: auth.userId, revokedAt: null, expiresAt: { $gt: now } }, { orderBy: { createdAt: 'desc' } });
  }

  async logout(auth: AuthInfo): Promise<boolean> {
    await this.revoke(auth.userId, { id: auth.sessionId }, 'logout');
    return true;
  }

  async logoutAll(auth: AuthInfo): Promise<number> {
    const revoked = await this.revoke(auth.userId, {}, 'logout all');
    await this.agentRuns.cancelRunsOfUser(auth.userId, RUNS_CANCELLED.logoutAll);
    return revoked.length;
  }

  async revokeSession(auth: AuthInfo, sessionId: string): Promise<boolean> {
    const revoked = await this.revoke(auth.userId, { id: sessionId }, 'revoked by user');
    if (revoked.length === 0) throw notFound('Auth session');
    return true;
  }

  /**
   * Limited like login, per user: a stolen access token must not become a way to guess the
   * current password. Of concurrent changes with one current password exactly one wins (a
   * compare-and-set on the hash that was checked).
   */
  async changePassword(auth: AuthInfo, input: ChangePasswordInput): Promise<boolean> {
    const { rateLimiter: limiter, config } = this.deps;
    const key = `password:user:${auth.userId}`;
    const retryAfter = await limiter.consume(key, config.loginMaxFailuresPerUser, LOGIN_WINDOW_SEC);
    if (retryAfter > 0) throw tooManyAttempts(retryAfter, 'password attempts');
    const user = await this.em.findOneOrFail(User, { id: auth.userId }, { populate: ['passwordHash'] });
    const checked = user.passwordHash;
    if (!(await this.deps.passwords.verify(input.currentPassword, checked))) {
      throw badUserInput([{ field: 'currentPassword', message: 'is not your current password' }]);
    }
    const newHash = await this.deps.passwords.hash(input.newPassword);
    const changed = await this.em.transactional(async (em) => {
      const n = await em.nativeUpdate(User, { id: user.id, passwordHash: checked }, { passwordHash: newHash });
      if (n > 0) await this.audit.record(em, this.audit.event(AuthAction.PASSWORD_CHANGED, SUCCEEDED, { userId: user.id, target: `user:${user.id}` }));
      return n;
    });
    if (changed === 0) {
      throw badUserInput([{ field: 'currentPassword', message: 'is no longer your current password: it was changed meanwhile' }]);
    }
    await limiter.reset(key);
    // The caller proved the password just now and keeps its session; every other one ends.
    await this.revoke(auth.userId, { id: { $ne: auth.sessionId } }, 'password changed');
    await this.agentRuns.cancelRunsOfUser(auth.userId, RUNS_CANCELLED.password);
    return true;
  }

  /** Every session and agent run of the user ends (operator provisioning: a reset password, a new role). */
  async endEverySession(userId: string, reason: string, runs: RunsCancelled): Promise<{ sessionsRevoked: number; runsCancelled: number }> {
    const revoked = await this.revoke(userId, {}, reason);
    const runsCancelled = await this.agentRuns.cancelRunsOfUser(userId, runs);
    return { sessionsRevoked: revoked.length, runsCancelled };
  }

  /** OPERATOR_USERNAME: only start-up creates that user. */
  private isReserved(username: string): boolean {
    return this.deps.config.operator?.username.toLowerCase() === username.toLowerCase();
  }

  /** Rewrites a legacy raw-bcrypt hash in the pre-hashed form once its password is known. */
  private async upgradeHash(user: User, password: string): Promise<void> {
    const { passwords } = this.deps;
    if (!passwords.shouldUpgrade(password, user.passwordHash)) return;
    const old = user.passwordHash;
    const upgraded = await passwords.hash(password);
    // Only if no one changed it meanwhile; a lost race keeps the newer hash.
    await this.em.nativeUpdate(User, { id: user.id, passwordHash: old }, { passwordHash: upgraded });
  }

  private async revoke(userId: string, where: Record<string, unknown>, reason: string): Promise<string[]> {
    const now = this.deps.clock.now();
    const sessions = await this.em.find(AuthSession, { ...where, user: userId, revokedAt: null, expiresAt: { $gt: now } }, { fields: ['id'] });
    const ids = sessions.map((s) => s.id);
    if (ids.length > 0) {
      await this.em.transactional(async (em) => {
        await em.nativeUpdate(AuthSession, { id: { $in: ids }, revokedAt: null }, { revokedAt: now, revokedReason: reason });
        await this.audit.record(em, ...ids.map((id) => this.audit.event(AuthAction.SESSION_REVOKED, reason, { userId, target: `session:${id}` })));
      });
      await this.publishRevoked(userId, ids);
    }
    return ids;
  }

  private openSession(em: EntityManager, user: User, client: ClientInfo): AuthPayload {
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + this.deps.config.refreshTtlSec * 1000);
    const session = new AuthSession(em.getReference(User, user.id, { wrapped: true }), expiresAt, client.userAgent, client.ipAddress);
    session.lastSeenAt = now;
    em.persist(session);
    return this.issueTokens(em, user, session, now, newRefreshToken());
  }

  /**
   * The pair for `refreshToken`, the access token signed as at `issuedAt`: the same arguments give
   * the same pair (a refresh within the grace interval repeats one); `store` false when its row exists.
   */
  private issueTokens(em: EntityManager, user: User, session: AuthSession, issuedAt: Date, refreshToken: string, store = true): AuthPayload {
    session.issuedToCaller = true;
    if (store) em.persist(new RefreshToken(em.getReference(AuthSession, session.id, { wrapped: true }), hashToken(refreshToken)));
    const access = signAccessToken(this.deps.config.jwt, { userId: user.id, sessionId: session.id, role: user.role }, issuedAt);
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user, session };
  }

  /** Sessions ended elsewhere (account deletion): this instance forgets them, the others are told. */
  announceRevoked(userId: string, sessionIds: string[]): Promise<void> {
    return this.publishRevoked(userId, sessionIds);
  }

  private async publishRevoked(userId: string, sessionIds: string[]): Promise<void> {
    // This instance forgets them before answering; the others on SESSION_REVOKED.
    this.deps.sessionCache.evict(sessionIds);
    await this.deps.pubsub.publish(Topic.SESSION_REVOKED, 'all', { userId, sessionIds });
    for (const sessionId of sessionIds) {
      await this.deps.pubsub.publish(Topic.AUTH_SESSION, userId, {
        kind: 'REVOKED',
        userId,
        sessionId,
        at: this.deps.clock.now().toISOString(),
        userAgent: null,
        ipAddress: null,
      });
    }
  }

  private publishSessionEvent(kind: 'CREATED', session: AuthSession, userId: string): Promise<void> {
    return this.deps.pubsub.publish(Topic.AUTH_SESSION, userId, {
      kind,
      userId,
      sessionId: session.id,
      at: session.createdAt.toISOString(),
      userAgent: session.userAgent,
      ipAddress: session.ipAddress,
    });
  }
}
