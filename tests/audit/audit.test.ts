import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  ChangePasswordDocument,
  CreateTransferDocument,
  ExportMyDataDocument,
  FreezeCardDocument,
  ImportMyDataDocument,
  LoginDocument,
  LogoutDocument,
  RecordCardPaymentDocument,
  RefreshSessionDocument,
  VerifyAuditChainDocument,
  type AuditLogQuery,
} from '../generated/graphql.js';
import { fundedCard, MCC } from '../factories/budget.js';
import { expectError } from '../helpers/errors.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

let server: TestServer;
let op: string;

const sql = <T extends object = Record<string, unknown>>(text: string, params: unknown[] = []) => server.app.orm.em.fork().execute<T[]>(text, params);

type AuditNode = AuditLogQuery['auditLog']['edges'][number]['node'];

async function trail(user: { token: string }, action?: string): Promise<AuditNode[]> {
  const data = await server.ok(AuditLogDocument, { action, first: 100 }, { token: user.token });
  return data.auditLog.edges.map((e) => e.node);
}

beforeAll(async () => {
  // No grace interval: a rotated refresh token presented again is a reuse at once.
  server = await startTestServer({ env: { ...OPERATOR_ENV, REFRESH_TOKEN_GRACE_SECONDS: '0' } });
  op = await loginOperator(server);
});

afterAll(async () => {
  await server?.stop();
});

describe('the audit trail', () => {
  it('records sign-ins, failures, sign-outs and password changes with the address and User-Agent, and never a secret', async () => {
    const user = await registerUser(server, { userAgent: 'audit-test/1.0' });
    const wrong = await server.gql(LoginDocument, { input: { username: user.user.username, password: 'not-the-password' } });
    expectError(wrong, 'UNAUTHENTICATED');
    const login = await server.ok(
      LoginDocument,
      { input: { username: user.user.username, password: user.password } },
      { headers: { 'user-agent': 'audit-test/2.0' } },
    );
    await server.ok(
      ChangePasswordDocument,
      { input: { currentPassword: user.password, newPassword: 'a-new-password-123' } },
      { token: login.login.accessToken },
    );
    await server.ok(LogoutDocument, {}, { token: login.login.accessToken });

    const me = await registerUser(server);
    // The user's trail, read by the operator (the user's own tokens are gone).
    const data = await server.ok(AuditLogDocument, { userId: user.user.id, first: 100 }, { token: op });
    const events = data.auditLog.edges.map((e) => e.node);
    const actions = events.map((e) => `${e.action}:${e.outcome}`).reverse();
    expect(actions).toEqual([
      'USER_REGISTERED:SUCCEEDED',
      'LOGIN_FAILED:INVALID_CREDENTIALS',
      'LOGIN_SUCCEEDED:SUCCEEDED',
      'PASSWORD_CHANGED:SUCCEEDED',
      // The password change ended the first session; the logout the second.
      'SESSION_REVOKED:password changed',
      'SESSION_REVOKED:logout',
    ]);
    const succeeded = events.find((e) => e.action === 'LOGIN_SUCCEEDED')!;
    expect(succeeded.userAgent).toBe('audit-test/2.0');
    expect(succeeded.ip).toMatch(/127\.0\.0\.1/);
    expect(succeeded.actor).toEqual({ id: user.user.id, username: user.user.username });
    expect(events.find((e) => e.action === 'LOGIN_FAILED')!.actor).toBeNull();
    expect(data.auditLog.totalCount).toBe(6);

    // Nothing secret in any column of any row.
    const dump = JSON.stringify(await sql('select * from "audit_event"'));
    for (const secret of [user.password, 'not-the-password', 'a-new-password-123', login.login.accessToken, login.login.refreshToken, user.refreshToken]) {
      expect(dump).not.toContain(secret);
    }
    // A customer reads only their own trail: another user's id is NOT_FOUND, like a missing one.
    expectError(await server.gql(AuditLogDocument, { userId: user.user.id }, { token: me.token }), 'NOT_FOUND');
  });

  it('records posted and refused transfers, card payments and card status changes in the owner trail', async () => {
    const user = await registerUser(server);
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, 1_000);
    const posted = await server.ok(
      CreateTransferDocument,
      { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '400', currency: 'USD', idempotencyKey: key() } },
      { token: user.token },
    );
    const refused = await server.gql(
      CreateTransferDocument,
      { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '5000', currency: 'USD', idempotencyKey: key() } },
      { token: user.token },
    );
    expectError(refused, 'INSUFFICIENT_FUNDS');
    const cardId = await fundedCard(server, op, user.token);
    const payment = await server.ok(
      RecordCardPaymentDocument,
      { input: { cardId, merchant: 'Corner Shop', merchantCategoryCode: MCC.GROCERIES, amountMinor: '250', currency: 'USD', idempotencyKey: key() } },
      { token: op },
    );
    await server.ok(FreezeCardDocument, { id: cardId }, { token: user.token });

    const events = await trail(user);
    const transfer = events.find((e) => e.action === 'TRANSFER_POSTED');
    expect(transfer?.target).toBe(`transfer:${posted.createTransfer.id}`);
    expect(events.filter((e) => e.action === 'TRANSFER_REFUSED').map((e) => [e.outcome, e.target])).toEqual([['INSUFFICIENT_FUNDS', `account:${from.id}`]]);
    const paid = events.find((e) => e.action === 'CARD_PAYMENT')!;
    expect(paid.target).toBe(`card_payment:${payment.recordCardPayment.id}`);
    expect(paid.outcome).toBe('APPROVED');
    // The network (the operator) asked; the trail is the card owner's.
    expect(paid.actor?.username).toBe(OPERATOR_ENV.OPERATOR_USERNAME);
    expect(events.find((e) => e.action === 'CARD_STATUS_CHANGED')).toMatchObject({ outcome: 'FROZEN', target: `card:${cardId}` });
    // Filtered by action.
    expect((await trail(user, 'TRANSFER_REFUSED')).length).toBe(1);
  });

  it('records data exports and imports', async () => {
    const user = await registerUser(server);
    const exported = await server.ok(ExportMyDataDocument, {}, { token: user.token });
    await server.ok(ImportMyDataDocument, { data: exported.exportMyData }, { token: user.token });
    const actions = (await trail(user)).map((e) => e.action);
    expect(actions).toContain('DATA_EXPORTED');
    expect(actions).toContain('DATA_IMPORTED');
  });

  it('records a refresh token reuse and the revocation it caused', async () => {
    const user = await registerUser(server);
    await server.ok(RefreshSessionDocument, { refreshToken: user.refreshToken });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expectError(await server.gql(RefreshSessionDocument, { refreshToken: user.refreshToken }), 'UNAUTHENTICATED');
    const data = await server.ok(AuditLogDocument, { userId: user.user.id, action: 'REFRESH_TOKEN_REUSED' }, { token: op });
    expect(data.auditLog.edges.map((e) => [e.node.outcome, e.node.target, e.node.actor])).toEqual([['SESSION_REVOKED', `session:${user.session.id}`, null]]);
  });

  it('pages newest first with cursors', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 3; i++) await server.gql(LoginDocument, { input: { username: user.user.username, password: 'wrong-password-x' } });
    const first = await server.ok(AuditLogDocument, { first: 2 }, { token: user.token });
    expect(first.auditLog.totalCount).toBe(4);
    expect(first.auditLog.pageInfo.hasNextPage).toBe(true);
    const second = await server.ok(AuditLogDocument, { first: 2, after: first.auditLog.pageInfo.endCursor }, { token: user.token });
    expect(second.auditLog.pageInfo.hasNextPage).toBe(false);
    const all = [...first.auditLog.edges, ...second.auditLog.edges].map((e) => e.node.action);
    expect(all).toEqual(['LOGIN_FAILED', 'LOGIN_FAILED', 'LOGIN_FAILED', 'USER_REGISTERED']);
    expectError(await server.gql(AuditLogDocument, { first: 101 }, { token: user.token }), 'BAD_USER_INPUT', 'first');
  });

  it('keeps one unbroken chain per user under 24 concurrent transfers', async () => {
    const user = await registerUser(server);
    const a = await openAccount(server, user.token);
    const b = await openAccount(server, user.token);
    const c = await openAccount(server, user.token);
    await deposit(server, op, a.id, 100_000);
    await deposit(server, op, b.id, 100_000);
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        server.ok(
          CreateTransferDocument,
          { input: { fromAccountId: i % 2 ? a.id : b.id, toAccountId: c.id, amountMinor: '10', currency: 'USD', idempotencyKey: key() } },
          { token: user.token },
        ),
      ),
    );
    // Chained after commit: verifyAuditChain chains what is left, then checks.
    expect((await server.ok(VerifyAuditChainDocument, {}, { token: op })).verifyAuditChain).toMatchObject({ intact: true, firstBrokenId: null });
    const seqs = await sql<{ seq: string }>(`select "seq"::text as "seq" from "audit_event" e where e."chain" = ? order by e."seq"`, [user.user.id]);
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect((await trail(user, 'TRANSFER_POSTED')).length).toBe(24);
  });
});

describe('the audit chain', () => {
  it('is for operators only', async () => {
    const user = await registerUser(server);
    expectError(await server.gql(VerifyAuditChainDocument, {}, { token: user.token }), 'FORBIDDEN');
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    await expect(sql(`update "audit_event" set "outcome" = 'SUCCEEDED'`)).rejects.toThrow(/append-only/);
    await expect(sql(`delete from "audit_event"`)).rejects.toThrow(/append-only/);
    await expect(sql(`truncate "audit_event"`)).rejects.toThrow(/append-only/);
  });

  it('chains new rows after commit, within seconds, without anyone asking', async () => {
    const user = await registerUser(server);
    await until(
      async () => {
        const [row] = await sql<{ hash: string | null; seq: string | null }>(`select "hash", "seq"::text as "seq" from "audit_event" where "chain" = ?`, [
          user.user.id,
        ]);
        return row !== undefined && row.hash !== null && row.seq === '1';
      },
      { timeoutMs: 10_000, what: 'the chainer to chain a new row' },
    );
  });

  it('allows only the chainer its one change: the chain columns of an unchained row', async () => {
    const user = await registerUser(server);
    await server.ok(VerifyAuditChainDocument, {}, { token: op });
    const [row] = await sql<{ id: string }>(`select "id" from "audit_event" where "chain" = ?`, [user.user.id]);
    // Chained already: a new hash is refused.
    await expect(sql(`update "audit_event" set "hash" = repeat('f', 64) where "id" = ?`, [row!.id])).rejects.toThrow(/append-only/);
    // An unchained row (the chainer held off by its lock): content and hash together are refused too.
    const holder = new pg.Client({ connectionString: server.app.databaseUrl });
    await holder.connect();
    try {
      await holder.query(`select pg_advisory_lock(hashtextextended('audit_event_chainer', 0))`);
      await server.gql(LoginDocument, { input: { username: user.user.username, password: 'wrong-password-x' } });
      const [fresh] = await sql<{ id: string }>(`select "id" from "audit_event" where "chain" = ? and "hash" is null`, [user.user.id]);
      expect(fresh).toBeDefined();
      await expect(
        sql(`update "audit_event" set "outcome" = 'SUCCEEDED', "seq" = 99, "prev_hash" = 'x', "hash" = 'y' where "id" = ?`, [fresh!.id]),
      ).rejects.toThrow(/append-only/);
    } finally {
      await holder.end();
    }
  });

  it('names a row edited by hand, and the row after one removed by hand', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 3; i++) await server.gql(LoginDocument, { input: { username: user.user.username, password: 'wrong-password-x' } });
    const before = (await server.ok(VerifyAuditChainDocument, {}, { token: op })).verifyAuditChain;
    expect(before.intact).toBe(true);
    const rows = await sql<{ id: string }>(`select "id" from "audit_event" where "chain" = ? order by "seq"`, [user.user.id]);
    expect(rows).toHaveLength(4);

    // Someone with database access turns the trigger off and rewrites the outcome of a failure.
    await sql(`alter table "audit_event" disable trigger "audit_event_append_only"`);
    try {
      await sql(`update "audit_event" set "outcome" = 'SUCCEEDED' where "id" = ?`, [rows[2]!.id]);
      const edited = (await server.ok(VerifyAuditChainDocument, {}, { token: op })).verifyAuditChain;
      expect(edited).toMatchObject({ intact: false, firstBrokenId: rows[2]!.id, checked: before.checked });
      await sql(`update "audit_event" set "outcome" = 'INVALID_CREDENTIALS' where "id" = ?`, [rows[2]!.id]);
      expect((await server.ok(VerifyAuditChainDocument, {}, { token: op })).verifyAuditChain.intact).toBe(true);

      // A row removed from the middle: the next one no longer follows.
      await sql(`delete from "audit_event" where "id" = ?`, [rows[1]!.id]);
      const removed = (await server.ok(VerifyAuditChainDocument, {}, { token: op })).verifyAuditChain;
      expect(removed).toMatchObject({ intact: false, firstBrokenId: rows[2]!.id, checked: before.checked - 1 });
    } finally {
      await sql(`alter table "audit_event" enable trigger "audit_event_append_only"`);
    }
  });
});
