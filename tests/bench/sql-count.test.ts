import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddGroupExpenseDocument, CreateTransferDocument, UpdateDraftDocument } from '../generated/graphql.js';
import { appendMessages, createSession } from '../factories/chat.js';
import { groupOf } from '../factories/groups.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { countStatements } from '../helpers/sql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The benchmarks' sql-count: the combined list shapes of issue 8 cost a fixed number of SQL
 * statements however many rows they return (each is measured at half and at full size).
 * With BENCH_SQL_COUNT_OUT set, the counts are written there for `npm run bench`.
 */
let server: TestServer;
let op: string;
const counts: Record<string, { half: number; full: number }> = {};

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, maintenance: false });
  op = await loginOperator(server);
});
afterAll(async () => {
  if (process.env.BENCH_SQL_COUNT_OUT) writeFileSync(process.env.BENCH_SQL_COUNT_OUT, JSON.stringify(counts));
  await server?.stop();
});

/** Counts a query once warm (the session's lastSeenAt write happens at most once a minute). */
async function measure<R>(user: TestUser, query: string, check: (data: R) => void): Promise<number> {
  await server.ok(query, {}, { token: user.token });
  let data: R | undefined;
  const n = await countStatements(server, async () => (data = (await server.ok(query, {}, { token: user.token })) as R));
  check(data!);
  return n;
}

const TRANSFERS = `{ transfers(first: 50) { totalCount edges { node { id amount { decimal } fromAccount { id number name balance { decimal } } toAccount { id number name balance { decimal } } } } } }`;
const SESSIONS = `{ chatSessions(first: 20) { totalCount edges { node { id messages(last: 20) { totalCount edges { node { id role content } } } draft { id sections { name content } } } } } }`;
const ACCOUNTS = `{ accounts { id name balance { decimal } entries(first: 20) { totalCount edges { node { id direction amount { decimal } balanceAfter { decimal } transfer { id status } } } } } }`;

describe('SQL statements per list do not grow with the rows listed', () => {
  it('lists 50 transfers with both accounts in as many statements as 25', async () => {
    const user = await registerUser(server);
    const accounts = [await openAccount(server, user.token), await openAccount(server, user.token), await openAccount(server, user.token)];
    for (const a of accounts) await deposit(server, op, a.id, 1_000_000);
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const from = accounts[i % 3]!;
        const to = accounts[(i + 1) % 3]!;
        await server.ok(
          CreateTransferDocument,
          { input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '7', currency: 'USD', idempotencyKey: key() } },
          { token: user.token },
        );
      }
    };
    type Data = { transfers: { edges: Array<{ node: { fromAccount: { id: string } | null; toAccount: { id: string } | null } }> } };
    const check = (rows: number) => (data: Data) => {
      expect(data.transfers.edges).toHaveLength(rows);
      for (const { node } of data.transfers.edges) expect(node.toAccount?.id).toBeTruthy();
    };
    await send(22); // + 3 deposits = 25
    const half = await measure(user, TRANSFERS, check(25));
    await send(25);
    const full = await measure(user, TRANSFERS, check(50));
    counts.transfers = { half, full };
    expect(full).toBe(half);
    expect(full).toBeLessThanOrEqual(6);
  });

  it('lists 20 chat sessions, each with 20 messages and a draft, in as many statements as 10', async () => {
    const user = await registerUser(server);
    const fill = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = await createSession(server, user.token, 'JOURNALING');
        await appendMessages(server, s.id, 20);
        await server.ok(UpdateDraftDocument, { input: { sessionId: s.id, sections: [{ name: 'Journal', content: `entry ${i}` }] } }, { token: user.token });
      }
    };
    type Data = { chatSessions: { edges: Array<{ node: { messages: { edges: unknown[] }; draft: unknown } }> } };
    const check = (sessions: number) => (data: Data) => {
      expect(data.chatSessions.edges).toHaveLength(sessions);
      for (const { node } of data.chatSessions.edges) {
        expect(node.messages.edges).toHaveLength(20);
        expect(node.draft).toBeTruthy();
      }
    };
    await fill(10);
    const half = await measure(user, SESSIONS, check(10));
    await fill(10);
    const full = await measure(user, SESSIONS, check(20));
    counts.chatSessions = { half, full };
    expect(full).toBe(half);
    expect(full).toBeLessThanOrEqual(6);
  });

  it('lists 8 accounts with 20 entries each in as many statements as 4 accounts with 10', async () => {
    const user = await registerUser(server);
    const accounts: Array<{ id: string }> = [];
    const ring = async (rounds: number) => {
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < accounts.length; i++) {
          const to = accounts[(i + 1) % accounts.length]!;
          await server.ok(
            CreateTransferDocument,
            { input: { fromAccountId: accounts[i]!.id, toAccountId: to.id, amountMinor: '3', currency: 'USD', idempotencyKey: key() } },
            { token: user.token },
          );
        }
      }
    };
    const grow = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const a = await openAccount(server, user.token);
        await deposit(server, op, a.id, 1_000_000);
        accounts.push(a);
      }
    };
    type Data = { accounts: Array<{ entries: { totalCount: number; edges: Array<{ node: { transfer: { id: string } } }> } }> };
    const check = (n: number, entries: number) => (data: Data) => {
      expect(data.accounts).toHaveLength(n);
      for (const a of data.accounts) {
        expect(a.entries.edges).toHaveLength(entries);
        expect(a.entries.totalCount).toBeGreaterThanOrEqual(entries);
      }
    };
    await grow(4);
    await ring(5); // each account: 1 deposit + 5 debits + 5 credits = 11 entries
    const half = await measure(user, ACCOUNTS, check(4, 10 + 1));
    await grow(4);
    await ring(10); // the 4 new ones: 1 + 20 entries; the first 4: more
    const full = await measure(user, ACCOUNTS, check(8, 20));
    counts.accounts = { half, full };
    expect(full).toBe(half);
    expect(full).toBeLessThanOrEqual(6);
  });

  it("reads a group's balances and suggested settlements over 40 expenses in as many statements as over 20", async () => {
    const [ana, ben, cam] = [await registerUser(server), await registerUser(server), await registerUser(server)];
    const groupId = await groupOf(server, ana, [ben, cam]);
    const payers = [ana, ben, cam];
    const add = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await server.ok(
          AddGroupExpenseDocument,
          { input: { groupId, description: `Groceries ${i}`, amountMinor: String(1000 + i), occurredOn: '2026-11-02', splitMode: 'EQUAL' } },
          { token: payers[i % 3]!.token },
        );
      }
    };
    const GROUP = `{ group(id: "${groupId}") { id myBalance { minor } balances { user { id } balance { minor } } suggestedSettlements { from { id } to { id } amount { minor } } } }`;
    type Data = { group: { balances: Array<{ balance: { minor: string } }> } };
    const check = (data: Data) => {
      expect(data.group.balances).toHaveLength(3);
      expect(data.group.balances.reduce((sum, b) => sum + BigInt(b.balance.minor), 0n)).toBe(0n);
    };
    await add(20);
    const half = await measure(ana, GROUP, check);
    await add(20);
    const full = await measure(ana, GROUP, check);
    counts.group = { half, full };
    expect(full).toBe(half);
    expect(full).toBeLessThanOrEqual(6);
  });
});
