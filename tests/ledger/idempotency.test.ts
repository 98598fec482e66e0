import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTransferDocument, RecordDepositDocument } from '../generated/graphql.js';
import { balanceOf, deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { itNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { ledgerSnapshot, ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { codeOf } from '../helpers/errors.js';

let server: TestServer;
let op: string;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV } });
  op = await loginOperator(server);
  user = await registerUser(server);
});
afterAll(() => server?.stop());

describe('idempotency keys', () => {
  itNeeding(RACES_NEED_POSTGRES, 'posts once when the same key is sent 20 times at once, and every request gets that transfer', async () => {
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, 10_000);
    const input = { fromAccountId: from.id, toAccountId: to.id, amountMinor: '2500', currency: 'USD', idempotencyKey: key() };
    const before = await ledgerSnapshot(server.app);
    const results = await Promise.all(Array.from({ length: 20 }, () => server.gql(CreateTransferDocument, { input }, { token: user.token })));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const ids = new Set(results.map((r) => r.data!.createTransfer.id));
    expect(ids.size).toBe(1);
    expect(await balanceOf(server, user.token, from.id)).toBe('7500');
    expect(await balanceOf(server, user.token, to.id)).toBe('2500');
    const after = await ledgerSnapshot(server.app);
    expect(after.transfers - before.transfers).toBe(1);
    expect(after.entries - before.entries).toBe(2);

    const reused = await server.gql(CreateTransferDocument, { input: { ...input, amountMinor: '2501' } }, { token: user.token });
    expect(codeOf(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
    const racedReuse = await Promise.all(
      Array.from({ length: 5 }, (_, i) => server.gql(CreateTransferDocument, { input: { ...input, description: `different ${i}` } }, { token: user.token })),
    );
    expect(racedReuse.map(codeOf)).toEqual(Array(5).fill('IDEMPOTENCY_KEY_REUSED'));
    expect(await ledgerSnapshot(server.app)).toEqual(after);
  });

  it('returns the first transfer, not a new one, when a key is replayed later', async () => {
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    await deposit(server, op, from.id, 1000);
    const input = { fromAccountId: from.id, toAccountNumber: to.number, amountMinor: '400', currency: 'USD', idempotencyKey: key() };
    const first = await server.ok(CreateTransferDocument, { input }, { token: user.token });
    const again = await server.ok(CreateTransferDocument, { input }, { token: user.token });
    expect(again.createTransfer).toEqual(first.createTransfer);
    expect(await balanceOf(server, user.token, from.id)).toBe('600');
  });

  it('keeps failing a key whose first attempt broke a business rule, even once the rule would pass', async () => {
    const from = await openAccount(server, user.token);
    const to = await openAccount(server, user.token);
    const input = { fromAccountId: from.id, toAccountId: to.id, amountMinor: '300', currency: 'USD', idempotencyKey: key() };
    expect(codeOf(await server.gql(CreateTransferDocument, { input }, { token: user.token }))).toBe('INSUFFICIENT_FUNDS');
    await deposit(server, op, from.id, 1000);
    expect(codeOf(await server.gql(CreateTransferDocument, { input }, { token: user.token }))).toBe('INSUFFICIENT_FUNDS');
    expect(await balanceOf(server, user.token, from.id)).toBe('1000');
    const fresh = await server.ok(CreateTransferDocument, { input: { ...input, idempotencyKey: key() } }, { token: user.token });
    expect(fresh.createTransfer.status).toBe('POSTED');
    expect(await balanceOf(server, user.token, from.id)).toBe('700');
  });

  it('scopes keys per user: another user may use the same key', async () => {
    const other = await registerUser(server);
    const shared = key();
    for (const who of [user, other]) {
      const from = await openAccount(server, who.token);
      const to = await openAccount(server, who.token);
      await deposit(server, op, from.id, 100);
      const res = await server.ok(
        CreateTransferDocument,
        {
          input: { fromAccountId: from.id, toAccountId: to.id, amountMinor: '100', currency: 'USD', idempotencyKey: shared },
        },
        { token: who.token },
      );
      expect(res.createTransfer.status).toBe('POSTED');
    }
  });

  itNeeding(RACES_NEED_POSTGRES, 'records a deposit once when its operator key is sent 10 times at once', async () => {
    const account = await openAccount(server, user.token);
    const input = { accountId: account.id, amountMinor: '999', currency: 'USD', idempotencyKey: key() };
    const results = await Promise.all(Array.from({ length: 10 }, () => server.gql(RecordDepositDocument, { input }, { token: op })));
    expect(new Set(results.map((r) => r.data?.recordDeposit.id)).size).toBe(1);
    expect(await balanceOf(server, user.token, account.id)).toBe('999');
    expect(codeOf(await server.gql(RecordDepositDocument, { input: { ...input, amountMinor: '1000' } }, { token: op }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ledgerViolations(server.app)).toEqual([]);
  });
});
