import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSessionEventsDocument, LoginDocument, MeDocument, RecordDepositDocument, RefreshSessionDocument } from '../generated/graphql.js';
import { key, openAccount } from '../factories/ledger.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { beginPasswordCheck, type PasswordCheck } from '../../src/modules/auth/operator.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { createServices } from '../../src/services.js';
import { codeOf } from '../helpers/errors.js';

const OPERATOR = { OPERATOR_USERNAME: 'boss', OPERATOR_PASSWORD: 'boss-password-1' };

let server: TestServer;
beforeAll(async () => {
  // Every request reads its session row: a revocation made by another process shows at once.
  server = await startTestServer({ env: { ...OPERATOR, SESSION_CACHE_MS: '0' } });
});
afterAll(() => server?.stop());

async function userRow(username: string): Promise<{ role: string; password_hash: string } | undefined> {
  const rows = await server.app.orm.em
    .fork()
    .getConnection()
    .execute<Array<{ role: string; password_hash: string }>>('select role, password_hash from app_user where username_key = ?', [username.toLowerCase()]);
  return rows[0];
}

const depositInput = (accountId: string) => ({ input: { accountId, amountMinor: '100', currency: 'USD', idempotencyKey: key() } });

/** Runs `npm run promote-user -- <username>` against this test's database. */
function promoteUser(username: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/promote-user.ts', username], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: server.app.databaseUrl, BCRYPT_COST: '4', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('start-up and the operator', () => {
  it('refuses to start when OPERATOR_USERNAME names an existing non-operator user, naming it and what to do; nothing is promoted', async () => {
    const squatter = await registerUser(server, { username: 'mallory', password: 'mallory-password-1' });
    const before = await userRow('mallory');

    const start = startTestServer({
      databaseUrl: server.app.databaseUrl,
      env: { OPERATOR_USERNAME: 'Mallory', OPERATOR_PASSWORD: 'a-fresh-operator-password' },
    });
    const refused = await start.then(
      (other) => other.stop().then(() => null),
      (error: unknown) => error as Error,
    );
    expect(refused, 'the second gateway started').toBeInstanceOf(Error);
    expect(refused!.message).toContain('OPERATOR_USERNAME');
    expect(refused!.message).toContain('"mallory" is a CUSTOMER');
    expect(refused!.message).toContain('npm run promote-user -- mallory');

    expect(await userRow('mallory')).toEqual(before);
    expect(before?.role).toBe('CUSTOMER');
    // The squatter's refresh token still yields a CUSTOMER, and the operator password is not its.
    const refreshed = await server.ok(RefreshSessionDocument, { refreshToken: squatter.refreshToken });
    expect(refreshed.refreshSession.user.role).toBe('CUSTOMER');
    expect(codeOf(await server.gql(LoginDocument, { input: { username: 'mallory', password: 'a-fresh-operator-password' } }))).toBe('UNAUTHENTICATED');
    const account = await openAccount(server, refreshed.refreshSession.accessToken);
    expect(codeOf(await server.gql(RecordDepositDocument, depositInput(account.id), { token: refreshed.refreshSession.accessToken }))).toBe('FORBIDDEN');
  });

  it('reserves OPERATOR_USERNAME: register answers USERNAME_TAKEN in any case, even while no row holds the name', async () => {
    expect(codeOf(await server.gql('mutation { register(input: { username: "boss", password: "password-123" }) { user { id } } }'))).toBe('USERNAME_TAKEN');
    // Say the operator row was removed: the name must still not go to whoever registers first.
    await server.app.orm.em.fork().getConnection().execute("delete from app_user where username_key = 'boss'");
    const res = await server.gql('mutation { register(input: { username: "BOSS", password: "password-123" }) { user { id } } }');
    expect(codeOf(res)).toBe('USERNAME_TAKEN');
    expect(res.errors?.[0]?.extensions?.fields).toEqual([{ field: 'username', message: 'is taken' }]);
    expect(await userRow('boss')).toBeUndefined();
  });
});

describe('role changes', () => {
  it('checks the role stored now on every request, not the one in the token: a demoted operator loses it at once', async () => {
    const op = await registerUser(server);
    await server.app.orm.em.fork().getConnection().execute("update app_user set role = 'OPERATOR' where id = ?", [op.user.id]);
    const login = await server.ok(LoginDocument, { input: { username: op.user.username, password: op.password } });
    const token = login.login.accessToken;
    const account = await openAccount(server, token);
    await server.ok(RecordDepositDocument, depositInput(account.id), { token });

    // Demoted behind the gateway's back (another instance, an administrator's SQL): the token still says OPERATOR.
    await server.app.orm.em.fork().getConnection().execute("update app_user set role = 'CUSTOMER' where id = ?", [op.user.id]);
    expect(codeOf(await server.gql(RecordDepositDocument, depositInput(account.id), { token }))).toBe('FORBIDDEN');
    const refreshed = await server.ok(RefreshSessionDocument, { refreshToken: login.login.refreshToken });
    expect(refreshed.refreshSession.user.role).toBe('CUSTOMER');
    expect((await server.ok(MeDocument, {}, { token: refreshed.refreshSession.accessToken })).me.role).toBe('CUSTOMER');
  });

  it('a role change revokes every session and refresh token of the user and closes its sockets with 4401', async () => {
    const user = await registerUser(server);
    const second = await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    let closeCode: number | undefined;
    const sub = collect(server.ws(user.token, { on: { closed: (e) => (closeCode = (e as { code: number }).code) } }), AuthSessionEventsDocument);
    await server.subscribed(() => sub);

    const changed = await createServices(server.app.deps, server.app.orm.em.fork()).provisioning.changeRole(user.user.username, Role.OPERATOR);
    expect(changed.sessionsRevoked).toBe(2);

    await sub.ended;
    expect(closeCode).toBe(4401);
    for (const token of [user.token, second.login.accessToken]) expect(codeOf(await server.gql(MeDocument, {}, { token }))).toBe('UNAUTHENTICATED');
    for (const refreshToken of [user.refreshToken, second.login.refreshToken]) {
      expect(codeOf(await server.gql(RefreshSessionDocument, { refreshToken }))).toBe('UNAUTHENTICATED');
    }
    const again = await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    expect(again.login.user.role).toBe('OPERATOR');
  });

  it('npm run promote-user promotes the named user deliberately and revokes all its sessions', async () => {
    const user = await registerUser(server);
    const second = await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });

    const run = await promoteUser(user.user.username.toUpperCase());
    expect(run.output).toContain(`"${user.user.username}" is now OPERATOR: 2 session(s) revoked`);
    expect(run.code).toBe(0);

    expect((await userRow(user.user.username))?.role).toBe('OPERATOR');
    for (const token of [user.token, second.login.accessToken]) expect(codeOf(await server.gql(MeDocument, {}, { token }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await server.gql(RefreshSessionDocument, { refreshToken: user.refreshToken }))).toBe('UNAUTHENTICATED');
    const op = await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    expect(op.login.user.role).toBe('OPERATOR');
    const account = await openAccount(server, op.login.accessToken);
    await server.ok(RecordDepositDocument, depositInput(account.id), { token: op.login.accessToken });

    const unknown = await promoteUser('nobody-has-this-name');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('User "nobody-has-this-name" not found');
  }, 120_000);
});

describe('instances of a fleet starting together', () => {
  it('ensure the same user at once: one creates it, the others take that row instead of failing the start', async () => {
    const ensure = () => createServices(server.app.deps, server.app.orm.em.fork()).provisioning.ensureUser('fleet-op', 'fleet-password-1', Role.OPERATOR);
    const users = await Promise.all(Array.from({ length: 6 }, ensure));
    expect(new Set(users.map((u) => u.id)).size).toBe(1);
    const login = await server.ok(LoginDocument, { input: { username: 'fleet-op', password: 'fleet-password-1' } });
    expect(login.login.user.role).toBe('OPERATOR');
  });
});

describe("a restart's operator check, begun before the ORM reads the user", () => {
  const ensure = (username: string, password: string, checked?: PasswordCheck) =>
    createServices(server.app.deps, server.app.orm.em.fork()).provisioning.ensureUser(username, password, Role.OPERATOR, false, checked);
  const begin = (username: string, password: string) => beginPasswordCheck(server.app.deps.plainSql, server.app.deps.passwords, username, password);

  it('a changed OPERATOR_PASSWORD still resets the stored password', async () => {
    await ensure('keeper', 'first-password-1');
    const before = (await userRow('keeper'))!.password_hash;
    const checked = await begin('keeper', 'second-password-1');
    expect(await checked?.matches).toBe(false);
    await ensure('keeper', 'second-password-1', checked);
    expect((await userRow('keeper'))!.password_hash).not.toBe(before);
    const login = await server.ok(LoginDocument, { input: { username: 'keeper', password: 'second-password-1' } });
    expect(login.login.user.role).toBe('OPERATOR');
  });

  it('is not trusted once the stored hash changed after it began: the password is checked against the new one', async () => {
    await ensure('keeper-two', 'first-password-1');
    // Begun against the first hash, where this password matches.
    const checked = await begin('keeper-two', 'first-password-1');
    expect(await checked?.matches).toBe(true);
    // Meanwhile another instance set another password.
    await ensure('keeper-two', 'other-password-1');
    const changed = (await userRow('keeper-two'))!.password_hash;
    await ensure('keeper-two', 'first-password-1', checked);
    expect((await userRow('keeper-two'))!.password_hash).not.toBe(changed);
    const login = await server.ok(LoginDocument, { input: { username: 'keeper-two', password: 'first-password-1' } });
    expect(login.login.user.username).toBe('keeper-two');
  });

  it('has nothing to check for a user not stored yet', async () => {
    expect(await begin('nobody-yet', 'some-password-1')).toBeUndefined();
  });
});
