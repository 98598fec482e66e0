import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { selectFrom } from '../../db/select.js';
import type { AppDeps } from '../../services.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { Topic, type AuthSessionEventPayload } from '../../pubsub/topics.js';
import { AuthSession } from './auth-session.entity.js';
import type { ChangePasswordInput, LoginInput, RegisterInput } from './auth.inputs.js';
import type { AuthInfo, AuthPayload, ClientInfo } from './auth.types.js';
import { RefreshToken } from './refresh-token.entity.js';
import { hashToken, newRefreshToken, signAccessToken, verifyAccessToken } from './tokens.js';
import { Role, User } from './user.entity.js';

const LOGIN_WINDOW_SEC = 15 * 60;
const LAST_SEEN_RESOLUTION_MS = 60_000;
const INVALID_CREDENTIALS = 'Invalid credentials';
const sessionEnded = () => new DomainError('UNAUTHENTICATED', 'Session has ended: sign in again');

export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: AppDeps,
  ) {}

  async register(input: RegisterInput, client: ClientInfo): Promise<AuthPayload> {
    const email = input.email?.trim() || null;
    const passwordHash = await this.deps.passwords.hash(input.password);
    const payload = await this.withUniqueErrors(() =>
      this.em.transactional(async (em) => {
        const taken = await em.findOne(User, { usernameKey: input.username.toLowerCase() }, { fields: ['id'] });
        if (taken) throw usernameTaken();
        if (email && (await em.findOne(User, { emailKey: email.toLowerCase() }, { fields: ['id'] }))) throw emailTaken();
        const user = new User(input.username, passwordHash, email);
        em.persist(user);
        return this.openSession(em, user, client);
      }),
    );
    await this.publishSessionEvent('CREATED', payload.session, payload.user.id);
    return payload;
  }

  async login(input: LoginInput, client: ClientInfo): Promise<AuthPayload> {
    const { limiter, config } = this.deps;
    const userKey = `login:user:${input.username.toLowerCase()}`;
    const ipKey = `login:ip:${client.ipAddress ?? 'unknown'}`;
    const retryAfter = Math.max(
      await limiter.retryAfter(userKey, config.loginMaxFailuresPerUser),
      await limiter.retryAfter(ipKey, config.loginMaxFailuresPerIp),
    );
    if (retryAfter > 0) {
      throw new DomainError('RATE_LIMITED', `Too many failed sign-ins: try again in ${retryAfter} seconds`, { retryAfter });
    }

    const key = input.username.toLowerCase();
    const user = await this.em.findOne(User, key.includes('@') ? { emailKey: key } : { usernameKey: key }, {
      populate: ['passwordHash'],
    });
    const ok = user
      ? await this.deps.passwords.verify(input.password, user.passwordHash)
      : await this.deps.passwords.verifyNobody(input.password);
    if (!user || !ok) {
      await limiter.hit(userKey, LOGIN_WINDOW_SEC);
      await limiter.hit(ipKey, LOGIN_WINDOW_SEC);
      throw new DomainError('UNAUTHENTICATED', INVALID_CREDENTIALS);
    }
    await limiter.reset(userKey);
    const payload = await this.em.transactional((em) => this.openSession(em, user, client));
    await this.publishSessionEvent('CREATED', payload.session, user.id);
    return payload;
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<AuthPayload> {
    const now = this.deps.clock.now();
    const invalid = () => new DomainError('UNAUTHENTICATED', 'Refresh token is not valid: sign in again');
    const outcome = await this.em.transactional(async (em) => {
      // Locking the token row makes two concurrent refreshes with one token rotate once.
      const token = await em.findOne(RefreshToken, { tokenHash: hashToken(refreshToken) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!token) return { error: invalid() };
      const session = await em.findOneOrFail(AuthSession, { id: token.session.id }, { populate: ['user'] });
      if (!session.isActive(now)) return { error: invalid() };
      if (token.rotatedAt) {
        session.revokedAt = now;
        session.revokedReason = 'refresh token reused';
        return { error: invalid(), revoked: session };
      }
      token.rotatedAt = now;
      session.lastSeenAt = now;
      if (client.userAgent) session.userAgent = client.userAgent;
      if (client.ipAddress) session.ipAddress = client.ipAddress;
      return { payload: this.issueTokens(em, session.user.getEntity(), session) };
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
    const now = this.deps.clock.now();
    const nowMs = now.getTime();
    const claims = verifyAccessToken(this.deps.config.jwt, accessToken, now);
    const { sessionCache } = this.deps;
    const session = await sessionCache.getOrLoad(claims.sessionId, nowMs, async () => {
      const row = await this.em.findOne(
        AuthSession,
        { id: claims.sessionId },
        { fields: ['id', 'user', 'revokedAt', 'expiresAt', 'lastSeenAt'] },
      );
      if (!row || !row.isActive(now)) return null;
      return { userId: row.user.id, expiresAtMs: row.expiresAt.getTime(), lastSeenAtMs: row.lastSeenAt?.getTime() ?? null, checkedAtMs: nowMs };
    });
    if (!session) throw sessionEnded();
    if (session.userId !== claims.userId || session.expiresAtMs <= nowMs) throw sessionEnded();
    if (session.lastSeenAtMs === null || nowMs - session.lastSeenAtMs > LAST_SEEN_RESOLUTION_MS) {
      session.lastSeenAtMs = nowMs;
      await this.em.nativeUpdate(AuthSession, { id: claims.sessionId }, { lastSeenAt: now });
    }
    return claims;
  }

  /** Which of these sessions are still live, for long-lived sockets. */
  async activeSessionIds(sessionIds: string[]): Promise<Set<string>> {
    const now = this.deps.clock.now();
    const live = await this.em.find(
      AuthSession,
      { id: { $in: sessionIds }, revokedAt: null, expiresAt: { $gt: now } },
      { fields: ['id'] },
    );
    return new Set(live.map((s) => s.id));
  }

  watchSessionEvents(auth: AuthInfo): AsyncIterableIterator<AuthSessionEventPayload> {
    return this.deps.pubsub.subscribe(Topic.AUTH_SESSION, auth.userId);
  }

  /** By hand and em.map: the hottest read (every `me`); the user is still a managed entity. */
  async me(auth: AuthInfo): Promise<User> {
    const [row] = await this.em.getConnection().execute<Array<Record<string, unknown>>>(`${selectFrom(this.em, User)} where "id" = ?`, [auth.userId]);
    if (!row) throw sessionEnded();
    return this.em.map(User, row);
  }

  sessions(auth: AuthInfo): Promise<AuthSession[]> {
    const now = this.deps.clock.now();
    return this.em.find(
      AuthSession,
      { user: auth.userId, revokedAt: null, expiresAt: { $gt: now } },
      { orderBy: { createdAt: 'desc' } },
    );
  }

  async logout(auth: AuthInfo): Promise<boolean> {
    await this.revoke(auth.userId, { id: auth.sessionId }, 'logout');
    return true;
  }

  async logoutAll(auth: AuthInfo): Promise<number> {
    return (await this.revoke(auth.userId, {}, 'logout all')).length;
  }

  async revokeSession(auth: AuthInfo, sessionId: string): Promise<boolean> {
    const revoked = await this.revoke(auth.userId, { id: sessionId }, 'revoked by user');
    if (revoked.length === 0) throw notFound('Auth session');
    return true;
  }

  async changePassword(auth: AuthInfo, input: ChangePasswordInput): Promise<boolean> {
    const user = await this.em.findOneOrFail(User, { id: auth.userId }, { populate: ['passwordHash'] });
    if (!(await this.deps.passwords.verify(input.currentPassword, user.passwordHash))) {
      throw badUserInput([{ field: 'currentPassword', message: 'is not your current password' }]);
    }
    user.passwordHash = await this.deps.passwords.hash(input.newPassword);
    await this.em.flush();
    await this.revoke(auth.userId, { id: { $ne: auth.sessionId } }, 'password changed');
    return true;
  }

  /** Start-up: makes sure the configured operator exists with that password. */
  async ensureUser(username: string, password: string, role: Role): Promise<User> {
    const existing = await this.em.findOne(User, { usernameKey: username.toLowerCase() }, { populate: ['passwordHash'] });
    if (existing) {
      if (existing.role !== role) existing.role = role;
      if (!(await this.deps.passwords.verify(password, existing.passwordHash))) {
        existing.passwordHash = await this.deps.passwords.hash(password);
      }
      await this.em.flush();
      return existing;
    }
    const user = new User(username, await this.deps.passwords.hash(password));
    user.role = role;
    await this.withUniqueErrors(() => this.em.persistAndFlush(user));
    return user;
  }

  private async revoke(userId: string, where: Record<string, unknown>, reason: string): Promise<string[]> {
    const now = this.deps.clock.now();
    const sessions = await this.em.find(
      AuthSession,
      { ...where, user: userId, revokedAt: null, expiresAt: { $gt: now } },
      { fields: ['id'] },
    );
    const ids = sessions.map((s) => s.id);
    if (ids.length > 0) {
      await this.em.nativeUpdate(AuthSession, { id: { $in: ids }, revokedAt: null }, { revokedAt: now, revokedReason: reason });
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
    return this.issueTokens(em, user, session);
  }

  private issueTokens(em: EntityManager, user: User, session: AuthSession): AuthPayload {
    session.issuedToCaller = true;
    const refreshToken = newRefreshToken();
    em.persist(new RefreshToken(em.getReference(AuthSession, session.id, { wrapped: true }), hashToken(refreshToken)));
    const access = signAccessToken(
      this.deps.config.jwt,
      { userId: user.id, sessionId: session.id, role: user.role },
      this.deps.clock.now(),
    );
    return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user, session };
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

  /** The unique indexes are the last word when two registrations race. */
  private async withUniqueErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        const constraint = violatedConstraint(error);
        if (constraint === 'app_user_email_key_unique') throw emailTaken();
        if (constraint === 'app_user_username_key_unique') throw usernameTaken();
      }
      throw error;
    }
  }
}

/** The constraint's name, not a search of the message: that also quotes the SQL's column list. */
function violatedConstraint(error: UniqueConstraintViolationException): string | undefined {
  const own = (error as { constraint?: unknown }).constraint;
  if (typeof own === 'string') return own;
  return /violates unique constraint "([^"]+)"/.exec(error.message)?.[1];
}

function usernameTaken(): DomainError {
  return new DomainError('USERNAME_TAKEN', 'That username is taken: choose another', { fields: [{ field: 'username', message: 'is taken' }] });
}

function emailTaken(): DomainError {
  return new DomainError('EMAIL_TAKEN', 'That email is already registered: sign in instead', { fields: [{ field: 'email', message: 'is already registered' }] });
}
