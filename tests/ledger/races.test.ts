import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateTransferDocument } from '../generated/graphql.js';
import { balanceOf, deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { describeNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let op: string;
let user: TestUser;

describeNeeding(RACES_NEED_POSTGRES, 'concurrent transfers', () => {
  beforeAll(async () => {
    server = await startTestServer({ env: { ...OPERATOR_ENV } });
    op = await loginOperator(server);
    user = await registerUser(server);
  });
  afterAll(() => server?.stop());

  it('lets exactly 10 of 100 concurrent transfers of X through against a balance of 10X; the rest get INSUFFICIENT_FUNDS', async () => {
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, 10 * 1234);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        server.gql(
          CreateTransferDocument,
          {
            input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '1234', currency: 'USD', idempotencyKey: key() },
          },
          { token: user.token },
        ),
      ),
    );
    const posted = results.filter((r) => r.data?.createTransfer?.status === 'POSTED');
    const codes = results.filter((r) => r.errors).map((r) => r.errors![0]!.extensions?.code);
    expect(posted).toHaveLength(10);
    expect(codes).toHaveLength(90);
    expect(new Set(codes)).toEqual(new Set(['INSUFFICIENT_FUNDS']));
    expect(await balanceOf(server, user.token, from.id)).toBe('0');
    expect(await balanceOf(server, user.token, to.id)).toBe(String(10 * 1234));
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('runs 500 A→B and 500 B→A at once with no deadlock reaching a client, conserving the total', async () => {
    const a = await openAccount(server, user.token);
    const b = await openAccount(server, user.token);
    await deposit(server, op, a.id, 100_000);
    await deposit(server, op, b.id, 100_000);
    const send = (from: string, to: string, amount: number) =>
      server.gql(
        CreateTransferDocument,
        {
          input: { fromAccountId: from, toAccountId: to, amountMinor: String(amount), currency: 'USD', idempotencyKey: key() },
        },
        { token: user.token },
      );
    const jobs: Array<Promise<Awaited<ReturnType<typeof send>>>> = [];
    for (let i = 0; i < 500; i++) {
      jobs.push(send(a.id, b.id, 7));
      jobs.push(send(b.id, a.id, 3));
    }
    const results = await Promise.all(jobs);
    const errors = results.flatMap((r) => r.errors ?? []);
    expect(errors).toEqual([]);
    expect(results.every((r) => r.data?.createTransfer?.status === 'POSTED')).toBe(true);
    const [ba, bb] = [BigInt(await balanceOf(server, user.token, a.id)), BigInt(await balanceOf(server, user.token, b.id))];
    expect(ba + bb).toBe(200_000n);
    expect(ba).toBe(100_000n - 500n * 7n + 500n * 3n);
    expect(await ledgerViolations(server.app)).toEqual([]);
    // Warnings and errors only: info lines carry ids, and a hex id can hold "40001".
    const problems = server.logs.filter((line) => Number(line.level) >= 40);
    expect(JSON.stringify(problems)).not.toMatch(/deadlock|40P01|40001/i);
  }, 120_000);
});
