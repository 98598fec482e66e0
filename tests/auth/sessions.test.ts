import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthSessionEventsDocument,
  AuthSessionsDocument,
  ChangePasswordDocument,
  LoginDocument,
  LogoutAllDocument,
  LogoutDocument,
  MeDocument,
  RefreshSessionDocument,
  RevokeAuthSessionDocument,
} from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { itNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { startTestServer, TEST_JWT_SECRET, type TestServer } from '../helpers/server.js';
import { TestClock } from '../helpers/clock.js';
import { collect } from '../helpers/subscriptions.js';
import { codeOf } from '../helpers/errors.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('refresh token reuse after the grace interval', () => {
  const clock = new TestClock();
  let timed: TestServer;
  beforeAll(async () => {
    timed = await startTestServer({ databaseUrl: server.app.databaseUrl, clock, env: { REFRESH_TOKEN_GRACE_SECONDS: '5' } });
  });
  afterAll(() => timed?.stop());

  it('revokes the whole session when a rotated refresh token is presented again after the grace interval', async () => {
    const user = await registerUser(timed);
    const first = await timed.ok(RefreshSessionDocument, { refreshToken: user.refreshToken });
    clock.advance(5_001);
    const stolen = await timed.gql(RefreshSessionDocument, { refreshToken: user.refreshToken });
    expect(codeOf(stolen)).toBe('UNAUTHENTICATED');
    // Both the thief's and the rightful holder's tokens are now dead.
    expect(codeOf(await timed.gql(RefreshSessionDocument, { refreshToken: first.refreshSession.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await timed.gql(MeDocument, {}, { token: first.refreshSession.accessToken }))).toBe('UNAUTHENTICATED');
  });

  it('answers a rotated refresh token within the grace interval with the pair it already issued', async () => {
    const user = await registerUser(timed);
    const first = await timed.ok(RefreshSessionDocument, { refreshToken: user.refreshToken });
    clock.advance(4_000);
    const late = await timed.ok(RefreshSessionDocument, { refreshToken: user.refreshToken });
    expect(late.refreshSession.refreshToken).toBe(first.refreshSession.refreshToken);
    expect(late.refreshSession.accessToken).toBe(first.refreshSession.accessToken);
    expect((await timed.ok(MeDocument, {}, { token: late.refreshSession.accessToken })).me.id).toBe(user.user.id);
  });
});

describe('auth sessions', () => {
  it('goes register -> login -> me -> refresh -> logout, and the old access token dies with the session', async () => {
    const user = await registerUser(server);
    expect(user.session.current).toBe(true);
    expect(user.user.role).toBe('CUSTOMER');

    const login = await server.ok(LoginDocument, { input: { username: user.user.username.toUpperCase(), password: user.password } });
    const token = login.login.accessToken;
    expect((await server.ok(MeDocument, {}, { token })).me.id).toBe(user.user.id);

    const refreshed = await server.ok(RefreshSessionDocument, { refreshToken: login.login.refreshToken });
    expect(refreshed.refreshSession.refreshToken).not.toBe(login.login.refreshToken);
    expect(refreshed.refreshSession.session.id).toBe(login.login.session.id);
    const newToken = refreshed.refreshSession.accessToken;
    expect((await server.ok(MeDocument, {}, { token: newToken })).me.username).toBe(user.user.username);

    expect((await server.ok(LogoutDocument, {}, { token: newToken })).logout).toBe(true);
    // The JWTs have not expired, yet both are refused at once: the session is checked per request.
    for (const t of [token, newToken]) {
      const res = await server.gql(MeDocument, {}, { token: t });
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
      expect(res.data).toBeNull();
    }
    // The other session (from register) is untouched.
    expect((await server.ok(MeDocument, {}, { token: user.token })).me.id).toBe(user.user.id);
  });

  for (const tabs of [2, 5]) {
    itNeeding(
      RACES_NEED_POSTGRES,
      `answers ${tabs} refreshes racing with one refresh token with the same new pair: one session, and every tab keeps working`,
      async () => {
        const user = await registerUser(server);
        const results = await Promise.all(Array.from({ length: tabs }, () => server.gql(RefreshSessionDocument, { refreshToken: user.refreshToken })));
        expect(results.map(codeOf)).toEqual(Array.from({ length: tabs }, () => undefined));
        const pairs = results.map((r) => r.data!.refreshSession);
        expect(new Set(pairs.map((p) => p.refreshToken)).size).toBe(1);
        expect(pairs[0]!.refreshToken).not.toBe(user.refreshToken);
        expect(new Set(pairs.map((p) => p.session.id))).toEqual(new Set([user.session.id]));
        for (const pair of pairs) expect((await server.ok(MeDocument, {}, { token: pair.accessToken })).me.id).toBe(user.user.id);
        const next = await server.ok(RefreshSessionDocument, { refreshToken: pairs[0]!.refreshToken });
        expect(next.refreshSession.session.id).toBe(user.session.id);
        const live = (await server.ok(AuthSessionsDocument, {}, { token: next.refreshSession.accessToken })).authSessions;
        expect(live.map((s) => s.id)).toEqual([user.session.id]);
      },
    );
  }

  it('rejects an unknown refresh token', async () => {
    const res = await server.gql(RefreshSessionDocument, { refreshToken: 'rt_made_up' });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it("lists only the caller's live sessions and marks the current one", async () => {
    const user = await registerUser(server, { userAgent: 'phone/1.0' });
    const second = await server.ok(
      LoginDocument,
      { input: { username: user.user.username, password: user.password } },
      { headers: { 'user-agent': 'laptop/2.0' } },
    );
    const other = await registerUser(server);
    const sessions = (await server.ok(AuthSessionsDocument, {}, { token: second.login.accessToken })).authSessions;
    expect(sessions.map((s) => s.id).sort()).toEqual([user.session.id, second.login.session.id].sort());
    expect(sessions.find((s) => s.current)?.userAgent).toBe('laptop/2.0');
    expect(sessions.find((s) => !s.current)?.userAgent).toBe('phone/1.0');
    expect(sessions.map((s) => s.id)).not.toContain(other.session.id);
  });

  it("never lets one user revoke another user's session: NOT_FOUND, and it stays alive", async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const res = await server.gql(RevokeAuthSessionDocument, { id: bob.session.id }, { token: alice.token });
    expect(codeOf(res)).toBe('NOT_FOUND');
    const missing = await server.gql(RevokeAuthSessionDocument, { id: '01900000-0000-7000-8000-000000000000' }, { token: alice.token });
    expect(missing.errors?.[0]).toMatchObject({ message: res.errors?.[0]?.message, extensions: { code: 'NOT_FOUND' } });
    expect((await server.ok(MeDocument, {}, { token: bob.token })).me.id).toBe(bob.user.id);
  });

  it('revokes one named session of the caller', async () => {
    const user = await registerUser(server);
    const second = await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    expect((await server.ok(RevokeAuthSessionDocument, { id: second.login.session.id }, { token: user.token })).revokeAuthSession).toBe(true);
    expect(codeOf(await server.gql(MeDocument, {}, { token: second.login.accessToken }))).toBe('UNAUTHENTICATED');
    expect((await server.ok(MeDocument, {}, { token: user.token })).me.id).toBe(user.user.id);
  });

  it('logs out everywhere and says how many sessions ended', async () => {
    const user = await registerUser(server);
    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    expect((await server.ok(LogoutAllDocument, {}, { token: user.token })).logoutAll).toBe(3);
    expect(codeOf(await server.gql(MeDocument, {}, { token: user.token }))).toBe('UNAUTHENTICATED');
  });

  it('changes the password only with the current one, and revokes every other session', async () => {
    const user = await registerUser(server);
    const other = await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });

    const wrong = await server.gql(
      ChangePasswordDocument,
      { input: { currentPassword: 'not-it-at-all', newPassword: 'a-new-password-1' } },
      { token: user.token },
    );
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.errors?.[0]?.extensions?.fields).toEqual([{ field: 'currentPassword', message: 'is not your current password' }]);
    expect((await server.ok(MeDocument, {}, { token: other.login.accessToken })).me.id).toBe(user.user.id);

    const short = await server.gql(ChangePasswordDocument, { input: { currentPassword: user.password, newPassword: 'short' } }, { token: user.token });
    expect(codeOf(short)).toBe('BAD_USER_INPUT');
    expect(short.errors?.[0]?.extensions?.fields).toEqual([{ field: 'newPassword', message: 'must be 8 to 128 characters' }]);

    await server.ok(ChangePasswordDocument, { input: { currentPassword: user.password, newPassword: 'a-new-password-1' } }, { token: user.token });
    expect(codeOf(await server.gql(MeDocument, {}, { token: other.login.accessToken }))).toBe('UNAUTHENTICATED');
    expect((await server.ok(MeDocument, {}, { token: user.token })).me.id).toBe(user.user.id);
    expect(codeOf(await server.gql(LoginDocument, { input: { username: user.user.username, password: user.password } }))).toBe('UNAUTHENTICATED');
    await server.ok(LoginDocument, { input: { username: user.user.username, password: 'a-new-password-1' } });
  });
});

describe('access tokens', () => {
  const sign = (payload: object, secret: string, options: jwt.SignOptions) => jwt.sign(payload, secret, options);

  async function forgedTokens() {
    const user = await registerUser(server);
    const claims = { sid: user.session.id, role: 'CUSTOMER' };
    const base = { subject: user.user.id, issuer: 'coach-gateway', audience: 'coach-app' } as const;
    const [header, payload] = user.token.split('.');
    const tampered = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    tampered.role = 'OPERATOR';
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    return {
      tampered: `${header}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${user.token.split('.')[2]}`,
      expired: sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT_SECRET, base),
      wrongSecret: sign(claims, 'another-secret-that-is-long-enough-012345', { ...base, expiresIn: 600 }),
      algNone: `${noneHeader}.${payload}.`,
      wrongAudience: sign(claims, TEST_JWT_SECRET, { ...base, audience: 'someone-else', expiresIn: 600 }),
      hs512: sign(claims, TEST_JWT_SECRET, { ...base, algorithm: 'HS512', expiresIn: 600 }),
      garbage: 'not.a.token',
    };
  }

  it('refuses tampered, expired, wrong-secret, alg:none and wrong-audience tokens over HTTP', async () => {
    for (const [name, token] of Object.entries(await forgedTokens())) {
      const res = await server.gql(MeDocument, {}, { token });
      expect(codeOf(res), name).toBe('UNAUTHENTICATED');
    }
  });

  it('says "expired" for an expired token so the client knows to refresh', async () => {
    const res = await server.gql(MeDocument, {}, { token: (await forgedTokens()).expired });
    expect(res.errors?.[0]?.message).toMatch(/expired/);
  });

  it('refuses the same tokens on the WebSocket before any subscription runs: 4401 "token expired" for an expired one, else 4403', async () => {
    const revoked = await registerUser(server);
    await server.ok(LogoutDocument, {}, { token: revoked.token });
    for (const [name, token] of Object.entries({ ...(await forgedTokens()), revoked: revoked.token })) {
      const sub = collect(server.ws(token), AuthSessionEventsDocument);
      const { error } = await sub.ended;
      // An expired token is refreshed by the client (4401); graphql-ws clients retry 4403 as it is, five times.
      const expected = name === 'expired' ? { code: 4401, reason: 'token expired' } : { code: 4403, reason: 'Forbidden' };
      const { code, reason } = error as { code?: number; reason?: string };
      expect({ code, reason }, name).toEqual(expected);
      expect(sub.events).toEqual([]);
    }
  });

  it('refuses a malformed Authorization header with UNAUTHENTICATED', async () => {
    const res = await server.gql(MeDocument, {}, { headers: { authorization: 'Token abc' } });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0]?.message).toContain('Bearer');
  });

  it('asks for a sign-in when no token is sent to a field that needs one', async () => {
    const res = await server.gql(MeDocument, {});
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
  });
});

describe('live sessions on the WebSocket', () => {
  it('streams sign-ins to the same user, and ends the subscription within 5 s of its session being revoked', async () => {
    const user = await registerUser(server);
    const sub = await server.subscribed(() => collect(server.ws(user.token), AuthSessionEventsDocument));
    const login = await server.ok(
      LoginDocument,
      { input: { username: user.user.username, password: user.password } },
      { headers: { 'user-agent': 'tablet/3' } },
    );
    const [event] = await sub.waitFor(1);
    expect(event?.authSessionEvents).toMatchObject({ kind: 'CREATED', sessionId: login.login.session.id, userAgent: 'tablet/3' });

    const started = Date.now();
    await server.ok(RevokeAuthSessionDocument, { id: user.session.id }, { token: login.login.accessToken });
    const { error } = await sub.ended;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((error as { code?: number }).code).toBe(4401);
  });

  it("does not deliver one user's session events to another", async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const sub = await server.subscribed(() => collect(server.ws(alice.token), AuthSessionEventsDocument));
    await server.ok(LoginDocument, { input: { username: bob.user.username, password: bob.password } });
    const own = await server.ok(LoginDocument, { input: { username: alice.user.username, password: alice.password } });
    const events = await sub.waitFor(1);
    expect(events.map((e) => e.authSessionEvents.sessionId)).toEqual([own.login.session.id]);
    sub.stop();
  });

  it('ends subscriptions of a session that logs out everywhere', async () => {
    const user = await registerUser(server);
    const sub = await server.subscribed(() => collect(server.ws(user.token), AuthSessionEventsDocument));
    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    await sub.waitFor(1);
    await server.ok(LogoutAllDocument, {}, { token: user.token });
    const { error } = await sub.ended;
    expect((error as { code?: number }).code).toBe(4401);
  });
});
