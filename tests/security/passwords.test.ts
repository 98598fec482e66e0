import bcrypt from 'bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginDocument } from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { codeOf } from '../helpers/errors.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LOGIN_MAX_FAILURES_PER_USER: '100', LOGIN_MAX_FAILURES_PER_IP: '1000' } });
});
afterAll(() => server?.stop());

const sql = () => server.app.orm.em.fork().getConnection();
const hashOf = async (userId: string) => (await sql().execute<Array<{ h: string }>>('select password_hash as h from app_user where id = ?', [userId]))[0]!.h;
const login = (username: string, password: string) => server.gql(LoginDocument, { input: { username, password } });

const LONG = 'correct horse battery staple '.repeat(4).slice(0, 100);

describe('passwords longer than bcrypt reads', () => {
  it('does not sign in a 100-character password with its first 72 characters and another ending', async () => {
    expect(LONG).toHaveLength(100);
    const user = await registerUser(server, { password: LONG });
    expect(codeOf(await login(user.user.username, `${LONG.slice(0, 72)}${'x'.repeat(28)}`))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login(user.user.username, LONG.slice(0, 72)))).toBe('UNAUTHENTICATED');
    expect(codeOf(await login(user.user.username, `${LONG.slice(0, 99)}!`))).toBe('UNAUTHENTICATED');
    expect((await server.ok(LoginDocument, { input: { username: user.user.username, password: LONG } })).login.user.id).toBe(user.user.id);
    expect(await hashOf(user.user.id)).toMatch(/^hmac-sha256-v1:\$2b\$/);
  });

  it('still signs in with a legacy raw-bcrypt hash, and rewrites it pre-hashed on that sign-in', async () => {
    const user = await registerUser(server);
    await sql().execute('update app_user set password_hash = ? where id = ?', [await bcrypt.hash(user.password, 4), user.user.id]);
    expect(codeOf(await login(user.user.username, `${user.password}-not`))).toBe('UNAUTHENTICATED');
    expect(await hashOf(user.user.id)).toMatch(/^\$2b\$/);

    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    expect(await hashOf(user.user.id)).toMatch(/^hmac-sha256-v1:\$2b\$/);
    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    expect(codeOf(await login(user.user.username, `${user.password}-not`))).toBe('UNAUTHENTICATED');
  });

  it('never rewrites a legacy hash from a password over 72 bytes: the one accepted may be a truncated guess', async () => {
    const user = await registerUser(server, { password: LONG });
    const legacy = await bcrypt.hash(LONG, 4);
    await sql().execute('update app_user set password_hash = ? where id = ?', [legacy, user.user.id]);
    // bcrypt alone cannot tell these apart; rewriting from the second would lock the owner out.
    await server.ok(LoginDocument, { input: { username: user.user.username, password: `${LONG.slice(0, 72)}${'x'.repeat(28)}` } });
    expect(await hashOf(user.user.id)).toBe(legacy);
    await server.ok(LoginDocument, { input: { username: user.user.username, password: LONG } });
  });
});
