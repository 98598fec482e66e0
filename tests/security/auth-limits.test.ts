import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangePasswordDocument, LoginDocument, MeDocument } from '../generated/graphql.js';
import { registerUser } from '../factories/users.js';
import { describeNeeding, itNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { MemoryRateLimiter, type RateLimiter } from '../../src/shared/rate-limiter.js';
import { RedisRateLimiter } from '../../src/shared/redis-rate-limiter.js';
import { codeOf } from '../helpers/errors.js';

const MAX_FAILURES = 5;

/** Counts the password checks that reach bcrypt on this server. */
function countBcrypt(server: TestServer): { calls: number } {
  const passwords = server.app.deps.passwords;
  const counter = { calls: 0 };
  const verify = passwords.verify.bind(passwords);
  const verifyNobody = passwords.verifyNobody.bind(passwords);
  passwords.verify = (password, hash) => (counter.calls++, verify(password, hash));
  passwords.verifyNobody = (password) => (counter.calls++, verifyNobody(password));
  return counter;
}

describe('sign-in and password limits', () => {
  let server: TestServer;
  let bcrypt: { calls: number };
  beforeAll(async () => {
    server = await startTestServer({ env: { LOGIN_MAX_FAILURES_PER_USER: String(MAX_FAILURES), LOGIN_MAX_FAILURES_PER_IP: '1000' } });
    bcrypt = countBcrypt(server);
  });
  afterAll(() => server?.stop());

  it('lets at most LOGIN_MAX_FAILURES_PER_USER of 40 parallel wrong passwords reach bcrypt; the rest, and then the right password, are RATE_LIMITED', async () => {
    const user = await registerUser(server);
    const before = bcrypt.calls;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => server.gql(LoginDocument, { input: { username: user.user.username, password: `wrong-password-${i}` } })),
    );
    // At most the limit (the in-memory limiter counts exactly, so exactly the limit).
    expect(bcrypt.calls - before).toBe(MAX_FAILURES);
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(bcrypt.calls - before);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(40 - (bcrypt.calls - before));
    for (const r of results.filter((r) => codeOf(r) === 'RATE_LIMITED')) expect(r.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);

    const right = await server.gql(LoginDocument, { input: { username: user.user.username, password: user.password } });
    expect(codeOf(right)).toBe('RATE_LIMITED');
    expect(right.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(bcrypt.calls - before).toBeLessThanOrEqual(MAX_FAILURES);
  });

  it('resets the count on a successful sign-in', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      expect(codeOf(await server.gql(LoginDocument, { input: { username: user.user.username, password: `wrong-${i}-password` } }))).toBe('UNAUTHENTICATED');
    }
    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      expect(codeOf(await server.gql(LoginDocument, { input: { username: user.user.username, password: `wrong-${i}-password` } }))).toBe('UNAUTHENTICATED');
    }
    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
  });

  it('limits changePassword per user like sign-in: wrong current passwords count, then even the right one waits', async () => {
    const user = await registerUser(server);
    const before = bcrypt.calls;
    const wrong = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.gql(ChangePasswordDocument, { input: { currentPassword: `not-it-${i}-at-all`, newPassword: 'a-new-password-1' } }, { token: user.token }),
      ),
    );
    expect(bcrypt.calls - before).toBe(MAX_FAILURES);
    const codes = wrong.map(codeOf);
    expect(codes.filter((c) => c === 'BAD_USER_INPUT')).toHaveLength(bcrypt.calls - before);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(20 - (bcrypt.calls - before));

    const right = await server.gql(
      ChangePasswordDocument,
      { input: { currentPassword: user.password, newPassword: 'a-new-password-1' } },
      { token: user.token },
    );
    expect(codeOf(right)).toBe('RATE_LIMITED');
    expect(right.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    // The password did not change, and the sign-in limit of the name is a separate count.
    await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
  });
});

describe('the per-address sign-in limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LOGIN_MAX_FAILURES_PER_USER: '100', LOGIN_MAX_FAILURES_PER_IP: '3' } });
  });
  afterAll(() => server?.stop());

  it('counts failures only: successful sign-ins from one address give their attempt back', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 10; i++) await server.ok(LoginDocument, { input: { username: user.user.username, password: user.password } });
    for (let i = 0; i < 3; i++) {
      expect(codeOf(await server.gql(LoginDocument, { input: { username: user.user.username, password: `wrong-${i}-password` } }))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await server.gql(LoginDocument, { input: { username: 'someone-else', password: 'any-password-1' } }))).toBe('RATE_LIMITED');
  });
});

describeNeeding(RACES_NEED_POSTGRES, 'concurrent password changes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LOGIN_MAX_FAILURES_PER_USER: '100' } });
  });
  afterAll(() => server?.stop());

  it('lets exactly one of 20 parallel changePassword with the same current password succeed; the others are told it changed', async () => {
    const user = await registerUser(server);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.gql(ChangePasswordDocument, { input: { currentPassword: user.password, newPassword: `new-password-${i}` } }, { token: user.token }),
      ),
    );
    const won = results.flatMap((r, i) => (r.data?.changePassword === true ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.errors)) {
      expect(codeOf(r)).toBe('BAD_USER_INPUT');
      // Checked before the winner wrote: "no longer"; after: simply not the current one.
      const [problem] = r.errors?.[0]?.extensions?.fields as Array<{ field: string; message: string }>;
      expect(problem?.field).toBe('currentPassword');
      expect(['is no longer your current password: it was changed meanwhile', 'is not your current password']).toContain(problem?.message);
    }
    // The winner's password is the one that works; the caller's session lives on.
    await server.ok(LoginDocument, { input: { username: user.user.username, password: `new-password-${won[0]}` } });
    expect(codeOf(await server.gql(LoginDocument, { input: { username: user.user.username, password: user.password } }))).toBe('UNAUTHENTICATED');
    expect((await server.ok(MeDocument, {}, { token: user.token })).me.id).toBe(user.user.id);
  });
});

/** What login relies on: consume counts atomically before the check, release gives one back. */
async function expectConsumeAndRelease(limiter: RateLimiter): Promise<void> {
  const k = `test:${randomUUID()}`;
  const waits = await Promise.all(Array.from({ length: 10 }, () => limiter.consume(k, 3, 60)));
  expect(waits.filter((w) => w === 0)).toHaveLength(3);
  // The seven over the limit wait, and no longer than the window.
  const refused = waits.filter((w) => w !== 0);
  expect(refused).toHaveLength(7);
  for (const w of refused) expect(w > 0 && w <= 60, String(w)).toBe(true);
  for (let i = 0; i < 8; i++) await limiter.release(k);
  expect(await limiter.consume(k, 3, 60)).toBe(0);
  expect(await limiter.consume(k, 3, 60)).toBeGreaterThan(0);
  // Never below zero, and releasing a key never counted creates nothing.
  for (let i = 0; i < 20; i++) await limiter.release(k);
  const fresh = `test:${randomUUID()}`;
  await limiter.release(fresh);
  expect(await limiter.retryAfter(fresh, 1)).toBe(0);
  expect(await limiter.consume(fresh, 1, 60)).toBe(0);
  expect(await limiter.consume(fresh, 1, 60)).toBeGreaterThan(0);
}

const redisMissingReason = await redisMissing();

describe('rate limiter consume and release', () => {
  it('in memory', () => expectConsumeAndRelease(new MemoryRateLimiter()));

  itNeeding(redisMissingReason, 'in Redis', async () => {
    const limiter = new RedisRateLimiter(TEST_REDIS_URL);
    try {
      await expectConsumeAndRelease(limiter);
    } finally {
      await limiter.close();
    }
  });
});
