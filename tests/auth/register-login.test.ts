import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, RegisterDocument } from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { itNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { codeOf } from '../helpers/errors.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: { OPERATOR_USERNAME: 'chief', OPERATOR_PASSWORD: 'chief-password-1', LOGIN_MAX_FAILURES_PER_USER: '5' },
  });
});
afterAll(() => server?.stop());

async function userCount(): Promise<number> {
  const rows = await server.app.orm.em.fork().getConnection().execute<Array<{ n: string }>>('select count(*) as n from app_user');
  return Number(rows[0]!.n);
}

describe('register', () => {
  it('creates a CUSTOMER and signs it in', async () => {
    const user = await registerUser(server, { username: 'Ada.Lovelace-1', email: 'Ada@Example.com' });
    expect(user.user).toMatchObject({ username: 'Ada.Lovelace-1', email: 'Ada@Example.com', role: 'CUSTOMER' });
    expect((await server.ok(MeDocument, {}, { token: user.token })).me.username).toBe('Ada.Lovelace-1');
  });

  it('refuses a username or email taken in any case, writing nothing', async () => {
    await registerUser(server, { username: 'grace', email: 'grace@example.com' });
    const before = await userCount();
    const sameName = await server.gql(RegisterDocument, { input: { username: 'GRACE', email: 'other@example.com', password: 'password-123' } });
    expect(codeOf(sameName)).toBe('USERNAME_TAKEN');
    const sameEmail = await server.gql(RegisterDocument, { input: { username: 'grace2', email: 'Grace@EXAMPLE.com', password: 'password-123' } });
    expect(codeOf(sameEmail)).toBe('EMAIL_TAKEN');
    expect(await userCount()).toBe(before);
  });

  itNeeding(RACES_NEED_POSTGRES, 'gives one of two racing registrations of the same name, the other USERNAME_TAKEN', async () => {
    const input = { username: 'racer', email: null, password: 'password-123' };
    const results = await Promise.all([server.gql(RegisterDocument, { input }), server.gql(RegisterDocument, { input: { ...input, username: 'RACER' } })]);
    expect(results.filter((r) => r.data?.register).length).toBe(1);
    expect(results.map(codeOf).filter(Boolean), JSON.stringify(results.map((r) => r.errors))).toEqual(['USERNAME_TAKEN']);
  });

  it.each([
    ['username', { username: 'ab' }, 'must be 3 to 100 characters'],
    ['username', { username: 'x'.repeat(101) }, 'must be 3 to 100 characters'],
    ['username', { username: 'no spaces' }, 'may contain only letters, digits, "_", "." and "-"'],
    ['username', { username: 'émile' }, 'may contain only letters, digits, "_", "." and "-"'],
    ['email', { email: 'not-an-email' }, 'must be a valid email address'],
    ['password', { password: 'short' }, 'must be 8 to 128 characters'],
    ['password', { password: 'p'.repeat(129) }, 'must be 8 to 128 characters'],
  ])('refuses an invalid %s with BAD_USER_INPUT naming it (%j)', async (field, override, message) => {
    const before = await userCount();
    const res = await server.gql(RegisterDocument, {
      input: { username: 'valid_name', email: 'valid@example.com', password: 'password-123', ...override },
    });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.fields).toContainEqual({ field, message });
    expect(await userCount()).toBe(before);
  });

  it('names every invalid field at once', async () => {
    const res = await server.gql(RegisterDocument, { input: { username: 'a', email: 'nope', password: 'x' } });
    const fields = (res.errors?.[0]?.extensions?.fields as Array<{ field: string }>).map((f) => f.field);
    expect(new Set(fields)).toEqual(new Set(['username', 'email', 'password']));
  });
});

describe('login', () => {
  it('accepts the username in any case, or the email', async () => {
    const user = await registerUser(server, { username: 'Linus', email: 'linus@example.com' });
    for (const username of ['linus', 'LINUS@example.com']) {
      const login = await server.ok(LoginDocument, { input: { username, password: user.password } });
      expect(login.login.user.id, username).toBe(user.user.id);
      expect((await server.ok(MeDocument, {}, { token: login.login.accessToken })).me.username).toBe('Linus');
    }
  });

  it('answers a wrong username and a wrong password with the same words', async () => {
    const user = await registerUser(server);
    const wrongUser = await server.gql(LoginDocument, { input: { username: 'nobody_at_all', password: user.password } });
    const wrongPassword = await server.gql(LoginDocument, { input: { username: user.user.username, password: 'wrong-password' } });
    expect(wrongUser.errors?.[0]).toEqual(wrongPassword.errors?.[0]);
    expect(wrongUser.errors?.[0]).toMatchObject({ message: 'Invalid credentials', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('throttles repeated failures for one username with RATE_LIMITED and a retry-after, even for the right password', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 5; i++) {
      expect(codeOf(await server.gql(LoginDocument, { input: { username: user.user.username, password: `wrong-${i}-password` } }))).toBe('UNAUTHENTICATED');
    }
    const limited = await server.gql(LoginDocument, { input: { username: user.user.username, password: user.password } });
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(limited.errors?.[0]?.message).toMatch(/try again in \d+ seconds/);
    // Another user from the same address is not locked out by it.
    const other = await registerUser(server);
    await server.ok(LoginDocument, { input: { username: other.user.username, password: other.password } });
  });

  it('ensures the configured operator at start-up; register can never make one', async () => {
    const op = await server.ok(LoginDocument, { input: { username: 'chief', password: 'chief-password-1' } });
    expect(op.login.user.role).toBe('OPERATOR');
    const res = await server.gql('mutation { register(input: { username: "sneaky", password: "password-123", role: OPERATOR }) { user { role } } }');
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('secrets stay secret', () => {
  it('never writes a password, hash or token to the logs or into an error', async () => {
    const user = await registerUser(server, { password: 'very-secret-password-42' });
    const login = await server.ok(LoginDocument, { input: { username: user.user.username, password: 'very-secret-password-42' } });
    const failed = await server.gql(LoginDocument, { input: { username: user.user.username, password: 'another-secret-pw-77' } });
    await server.gql(MeDocument, {}, { token: `${login.login.accessToken}x` });
    const hash = (
      await server.app.orm.em.fork().getConnection().execute<Array<{ h: string }>>('select password_hash as h from app_user where id = ?', [user.user.id])
    )[0]!.h;
    const logs = server.rawLogs();
    for (const secret of ['very-secret-password-42', 'another-secret-pw-77', hash, login.login.accessToken, login.login.refreshToken, user.refreshToken]) {
      expect(logs).not.toContain(secret);
      expect(JSON.stringify(failed)).not.toContain(secret);
    }
    expect(logs).toContain('"op":"Login"');
  });
});
