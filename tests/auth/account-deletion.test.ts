import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  CreateGoalDocument,
  CreateTransferDocument,
  DeleteMyAccountDocument,
  FinalizeDraftDocument,
  LoginDocument,
  MeDocument,
  SaveDailyPlanDocument,
  UpdateDraftDocument,
  UpdatePreferencesDocument,
} from '../generated/graphql.js';
import { createJar, fundedCard, MCC, setIncome, spend } from '../factories/budget.js';
import { createSession } from '../factories/chat.js';
import { expectError } from '../helpers/errors.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let op: string;

const sql = <T extends object = Record<string, unknown>>(text: string, params: unknown[] = []) => server.app.orm.em.fork().execute<T[]>(text, params);

/** Every text, JSON and array column of every table holding `needle` (case-insensitive), as "table.column". */
async function whereFound(needle: string): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns
     where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'USER-DEFINED') and table_name not like 'mikro_orm%'`,
  );
  const found: string[] = [];
  for (const c of columns) {
    const [row] = await sql<{ n: number }>(`select count(*)::int as n from "${c.table_name}" where "${c.column_name}"::text ilike ?`, [`%${needle}%`]);
    if (row!.n > 0) found.push(`${c.table_name}.${c.column_name}`);
  }
  return found;
}

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV } });
  op = await loginOperator(server);
});

afterAll(async () => {
  await server?.stop();
});

describe('deleteMyAccount', () => {
  const phrase = 'marmalade lighthouse';
  let user: TestUser;
  let accountId: string;
  let other: TestUser;
  let otherAccountNumber: string;

  beforeAll(async () => {
    user = await registerUser(server);
    other = await registerUser(server);
    otherAccountNumber = (await openAccount(server, other.token)).number;
    const session = await createSession(server, user.token, 'JOURNALING', `About the ${phrase}`);
    await server.ok(
      UpdateDraftDocument,
      { input: { sessionId: session.id, sections: [{ name: 'Open Reflection', content: `I walked to the ${phrase} today.` }] } },
      { token: user.token },
    );
    await server.ok(FinalizeDraftDocument, { sessionId: session.id }, { token: user.token });
    await server.ok(UpdatePreferencesDocument, { input: { longTermGoals: [`Paint the ${phrase}`] } }, { token: user.token });
    await server.ok(CreateGoalDocument, { input: { title: `Visit the ${phrase}`, horizon: 'YEAR' } }, { token: user.token });
    await server.ok(SaveDailyPlanDocument, { input: { date: '2026-12-07', summary: `Sketch the ${phrase}` } }, { token: user.token });
    await setIncome(server, user.token, 300_000);
    await createJar(server, user.token, `${phrase} fund`, 1_000, ['GROCERIES']);
    const cardId = await fundedCard(server, op, user.token);
    await spend(server, op, cardId, 1_234, MCC.GROCERIES);
    accountId = (await openAccount(server, user.token, 'USD', `My ${phrase} savings`)).id;
    await deposit(server, op, accountId, 5_000);
  });

  it('needs the password, and refuses while money is left, changing nothing', async () => {
    expectError(await server.gql(DeleteMyAccountDocument, { password: 'not-my-password' }, { token: user.token }), 'BAD_USER_INPUT', 'password');
    const refused = expectError(await server.gql(DeleteMyAccountDocument, { password: user.password }, { token: user.token }), 'ACCOUNT_NOT_EMPTY');
    expect(refused.message).toMatch(/close them/);
    expect(await whereFound(phrase)).toContain('journal_entry.title');
    await server.ok(MeDocument, {}, { token: user.token });
  });

  it('erases everything personal, keeps the ledger balanced and the trail, and frees the username', async () => {
    // The card account and the savings account emptied to someone else: the money leaves by the ledger.
    const accounts = await sql<{ id: string; balance: string }>(`select "id", "balance"::text from "account" where "user_id" = ? and "balance" <> 0`, [
      user.user.id,
    ]);
    for (const a of accounts) {
      await server.ok(
        CreateTransferDocument,
        { input: { fromAccountId: a.id, toAccountNumber: otherAccountNumber, amountMinor: a.balance, currency: 'USD', idempotencyKey: key() } },
        { token: user.token },
      );
    }
    const entriesBefore = await sql<{ n: number }>(`select count(*)::int as n from "ledger_entry" where "user_id" = ?`, [user.user.id]);
    expect((await server.ok(DeleteMyAccountDocument, { password: user.password }, { token: user.token })).deleteMyAccount).toBe(true);

    // The audit rows keep their address and User-Agent: what a bank must keep of who did what.
    for (const needle of [user.user.username, user.user.email!, phrase]) {
      expect(await whereFound(needle), needle).toEqual([]);
    }
    // The bank's rows stay, tied to the anonymized user.
    expect((await sql<{ n: number }>(`select count(*)::int as n from "ledger_entry" where "user_id" = ?`, [user.user.id]))[0]!.n).toBe(entriesBefore[0]!.n);
    expect((await sql<{ n: number }>(`select count(*)::int as n from "card_payment" where "user_id" = ?`, [user.user.id]))[0]!.n).toBe(1);
    expect(await ledgerViolations(server.app)).toEqual([]);
    const [row] = await sql<{ username: string; deleted_at: Date | null }>(`select "username", "deleted_at" from "app_user" where "id" = ?`, [user.user.id]);
    expect(row!.username).toBe(`deleted-${user.user.id}`);
    expect(row!.deleted_at).not.toBeNull();

    // Signed out everywhere, and cannot sign in again.
    expectError(await server.gql(MeDocument, {}, { token: user.token }), 'UNAUTHENTICATED');
    expectError(await server.gql(LoginDocument, { input: { username: user.user.username, password: user.password } }), 'UNAUTHENTICATED');

    // The trail says so, and is still whole.
    const trail = await server.ok(AuditLogDocument, { userId: user.user.id, action: 'ACCOUNT_DELETED' }, { token: op });
    expect(trail.auditLog.edges.map((e) => e.node.actor?.username)).toEqual([`deleted-${user.user.id}`]);

    // The name and the email are free for someone new.
    const again = await registerUser(server, { username: user.user.username, email: user.user.email });
    expect(again.user.id).not.toBe(user.user.id);
  });

  it('is for a signed-in caller only', async () => {
    expectError(await server.gql(DeleteMyAccountDocument, { password: 'whatever-password' }), 'UNAUTHENTICATED');
  });
});
