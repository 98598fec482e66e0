import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountEntriesDocument,
  CreateTransferDocument,
  TransfersDocument,
  type AccountEntriesQuery,
  type AccountFieldsFragment,
  type TransfersQuery,
} from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { countStatements } from '../helpers/sql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let user: TestUser;
let accounts: AccountFieldsFragment[];

const send = (from: AccountFieldsFragment, to: AccountFieldsFragment, amount: number) =>
  server.ok(
    CreateTransferDocument,
    {
      input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: String(amount), currency: 'USD', idempotencyKey: key() },
    },
    { token: user.token },
  );

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, maintenance: false });
  const op = await loginOperator(server);
  user = await registerUser(server);
  accounts = [];
  for (let i = 0; i < 6; i++) accounts.push(await openAccount(server, user.token));
  for (const a of accounts) await deposit(server, op, a.id, 100_000);
  // 60 transfers among 6 accounts (plus the 6 deposits).
  for (let i = 0; i < 60; i++) await send(accounts[i % 6]!, accounts[(i + 1 + (i % 5)) % 6]!, 1 + i);
});
afterAll(() => server?.stop());

describe('listing transfers', () => {
  it('costs a constant number of SQL statements for 50 transfers with both accounts, not one per row', async () => {
    const run = (first: number) =>
      countStatements(server, async () => {
        const data = await server.ok(TransfersDocument, { first }, { token: user.token });
        expect(data.transfers.edges).toHaveLength(first);
        for (const { node } of data.transfers.edges) {
          expect(node.toAccount?.number).toBe(node.toAccountNumber);
        }
      });
    await run(2); // warm-up: the caller's session row is refreshed at most once a minute
    const few = await run(2);
    const many = await run(50);
    console.log(`SQL statements: ${few} for 2 transfers, ${many} for 50 transfers`);
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(6);
  });

  it('pages newest first with cursors, with no duplicates or gaps while new transfers arrive', async () => {
    const seen: string[] = [];
    let after: string | null | undefined = null;
    let total = 0;
    let pages = 0;
    do {
      const page: TransfersQuery['transfers'] = (await server.ok(TransfersDocument, { first: 7, after }, { token: user.token })).transfers;
      if (pages === 0) total = page.totalCount;
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      // Inserts between pages land before the first page and never shift later ones.
      if (pages++ < 3) await send(accounts[0]!, accounts[1]!, 1);
    } while (after);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('filters by account and refuses a page size over 100 or a forged cursor', async () => {
    const byAccount = await server.ok(TransfersDocument, { accountId: accounts[2]!.id, first: 100 }, { token: user.token });
    expect(byAccount.transfers.edges.length).toBe(byAccount.transfers.totalCount);
    for (const { node } of byAccount.transfers.edges) {
      expect([node.fromAccount?.id, node.toAccount?.id]).toContain(accounts[2]!.id);
    }
    const tooMany = await server.gql(TransfersDocument, { first: 101 }, { token: user.token });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const forged = await server.gql(TransfersDocument, { after: 'bm9wZQ' }, { token: user.token });
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('account history', () => {
  it("pages an account's entries newest first, each balanceAfter following from the one before", async () => {
    const account = accounts[3]!;
    const entries: Array<{ direction: string; amount: string; balanceAfter: string }> = [];
    let after: string | null | undefined = null;
    let balance = '';
    do {
      const data: AccountEntriesQuery['account'] = (await server.ok(AccountEntriesDocument, { id: account.id, first: 5, after }, { token: user.token }))
        .account;
      balance ||= data.balance.minor;
      entries.push(...data.entries.edges.map((e) => ({ direction: e.node.direction, amount: e.node.amount.minor, balanceAfter: e.node.balanceAfter.minor })));
      after = data.entries.pageInfo.hasNextPage ? data.entries.pageInfo.endCursor : null;
    } while (after);
    expect(entries[0]!.balanceAfter).toBe(balance);
    const chronological = [...entries].reverse();
    let running = 0n;
    for (const e of chronological) {
      running += e.direction === 'CREDIT' ? BigInt(e.amount) : -BigInt(e.amount);
      expect(BigInt(e.balanceAfter)).toBe(running);
    }
  });
});
