import { afterAll, beforeAll, expect } from 'vitest';
import { BalancesDocument, CreateTransferDocument, TransfersDocument, type AccountFieldsFragment, type TransfersQuery } from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { itNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const RUN_MS = 3_000;
const CLIENTS = 20;
const READERS = 4;
const FUNDING = 50_000n;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV } });
});
afterAll(() => server?.stop());

interface Held {
  owner: TestUser;
  account: AccountFieldsFragment;
}

itNeeding(
  RACES_NEED_POSTGRES,
  'keeps the books balanced while 20 clients move money at random and others read every balance',
  async () => {
    const op = await loginOperator(server);
    const users = [await registerUser(server), await registerUser(server)];
    const accounts: Held[] = [];
    for (const owner of users) {
      for (let i = 0; i < 4; i++) accounts.push({ owner, account: await openAccount(server, owner.token) });
    }
    for (const { account } of accounts) await deposit(server, op, account.id, FUNDING);
    const total = FUNDING * BigInt(accounts.length);

    const acknowledged = new Map<string, bigint>();
    const unexpected: unknown[] = [];
    let refused = 0;
    const deadline = Date.now() + RUN_MS;

    const client = async () => {
      while (Date.now() < deadline) {
        const from = accounts[Math.floor(Math.random() * accounts.length)]!;
        let to = accounts[Math.floor(Math.random() * accounts.length)]!;
        while (to === from) to = accounts[Math.floor(Math.random() * accounts.length)]!;
        const amount = BigInt(1 + Math.floor(Math.random() * 20_000));
        // Own accounts by id; the other user's by number, as a customer would.
        const destination = to.owner === from.owner ? { toAccountId: to.account.id } : { toAccountNumber: to.account.number };
        const res = await server.gql(
          CreateTransferDocument,
          {
            input: { fromAccountId: from.account.id, ...destination, amountMinor: String(amount), currency: 'USD', idempotencyKey: key() },
          },
          { token: from.owner.token },
        );
        const transfer = res.data?.createTransfer;
        if (transfer) {
          expect(acknowledged.has(transfer.id)).toBe(false);
          acknowledged.set(transfer.id, amount);
        } else if (res.errors?.[0]?.extensions?.code === 'INSUFFICIENT_FUNDS') refused++;
        else unexpected.push(res.errors ?? res);
      }
    };

    // Through the API, each user's accounts come from one statement; the books-wide total
    // needs both users at one instant, which only a single SQL statement can see.
    const reads = { api: 0, snapshot: 0 };
    const badReads: string[] = [];
    const reader = async () => {
      while (Date.now() < deadline) {
        for (const owner of users) {
          const data = await server.ok(BalancesDocument, {}, { token: owner.token });
          const balances = data.accounts.map((a) => BigInt(a.balance.minor));
          if (balances.some((b) => b < 0n)) badReads.push(`negative balance seen: ${balances.join(',')}`);
          if (balances.reduce((s, b) => s + b, 0n) > total) badReads.push(`more than the funded total: ${balances.join(',')}`);
          reads.api++;
        }
        const [row] = await server.app.orm.em.fork().execute<Array<{ total: string; lowest: string }>>(
          `select sum("balance")::text as "total", min("balance")::text as "lowest" from "account" where "id" in (${accounts.map(() => '?').join(',')})`,
          accounts.map((a) => a.account.id),
        );
        if (BigInt(row!.total) !== total) badReads.push(`snapshot total ${row!.total} != ${total}`);
        if (BigInt(row!.lowest) < 0n) badReads.push(`snapshot negative ${row!.lowest}`);
        reads.snapshot++;
      }
    };

    await Promise.all([...Array.from({ length: CLIENTS }, client), ...Array.from({ length: READERS }, reader)]);

    expect(unexpected).toEqual([]);
    expect(badReads).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(20);
    expect(reads.snapshot).toBeGreaterThan(3);
    console.log(
      `bank test: ${acknowledged.size} transfers posted, ${refused} refused (insufficient funds), ${reads.api} API reads, ${reads.snapshot} snapshot reads`,
    );

    // Final balances, read through the API, sum to what was funded.
    let sum = 0n;
    for (const owner of users) {
      for (const a of (await server.ok(BalancesDocument, {}, { token: owner.token })).accounts) sum += BigInt(a.balance.minor);
    }
    expect(sum).toBe(total);
    expect(await ledgerViolations(server.app)).toEqual([]);

    // Every acknowledged transfer exists exactly once, with the amount acknowledged.
    const seen = new Map<string, number>();
    for (const owner of users) {
      let after: string | null | undefined = null;
      do {
        const page: TransfersQuery['transfers'] = (await server.ok(TransfersDocument, { first: 100, after }, { token: owner.token })).transfers;
        for (const { node } of page.edges) {
          if (node.origin !== 'USER') continue;
          if (acknowledged.has(node.id)) expect(BigInt(node.amount.minor)).toBe(acknowledged.get(node.id));
          seen.set(node.id, (seen.get(node.id) ?? 0) + 1);
        }
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
    }
    // A transfer between the two users shows in both lists; within one user's, once.
    for (const id of seen.keys()) expect(acknowledged.has(id), id).toBe(true);
    for (const id of acknowledged.keys()) expect(seen.get(id) ?? 0, id).toBeGreaterThanOrEqual(1);
    const [posted] = await server.app.orm.em
      .fork()
      .execute<Array<{ n: string }>>(`select count(*)::text as "n" from "transfer" where "origin" = 'USER' and "status" = 'POSTED'`);
    expect(Number(posted!.n)).toBe(acknowledged.size);
  },
  60_000,
);
