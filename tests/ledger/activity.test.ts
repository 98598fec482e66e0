import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountActivityDocument, CreateTransferDocument } from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { subscribers } from '../helpers/wait.js';

let server: TestServer;
let op: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV } });
  op = await loginOperator(server);
});
afterAll(() => server?.stop());

describe('accountActivity', () => {
  it("streams each user's own entries only, with the transfer, and one account's when asked", async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const a1 = await openAccount(server, alice.token);
    const a2 = await openAccount(server, alice.token);
    const b1 = await openAccount(server, bob.token);
    const c1 = await openAccount(server, carol.token);
    await deposit(server, op, a1.id, 10_000);
    await deposit(server, op, c1.id, 10_000);

    const base = (server.app.deps.pubsub as unknown as { subscriberCount: number }).subscriberCount;
    const aliceAll = collect(server.ws(alice.token), AccountActivityDocument, {});
    const aliceA2 = collect(server.ws(alice.token), AccountActivityDocument, { accountId: a2.id });
    const bobAll = collect(server.ws(bob.token), AccountActivityDocument, {});
    const carolAll = collect(server.ws(carol.token), AccountActivityDocument, {});
    await subscribers(server.app, base + 4);

    const toBob = await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: a1.id, toAccountNumber: b1.number, amountMinor: '700', currency: 'USD', description: 'Dinner', idempotencyKey: 'alice-key' },
      },
      { token: alice.token },
    );
    await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: a1.id, toAccountId: a2.id, amountMinor: '300', currency: 'USD', idempotencyKey: key() },
      },
      { token: alice.token },
    );
    await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: c1.id, toAccountNumber: a2.number, amountMinor: '5', currency: 'USD', idempotencyKey: key() },
      },
      { token: carol.token },
    );

    // Sentinels, sent last: one transfer each of the four subscriptions must see. Once it has
    // arrived, anything else that was published for that subscriber would have arrived before it.
    const aliceSentinel = await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: a1.id, toAccountId: a2.id, amountMinor: '1', currency: 'USD', idempotencyKey: key() },
      },
      { token: alice.token },
    );
    const bobSentinel = await server.ok(
      CreateTransferDocument,
      {
        input: { fromAccountId: b1.id, toAccountNumber: c1.number, amountMinor: '1', currency: 'USD', idempotencyKey: key() },
      },
      { token: bob.token },
    );
    /** Waits for `expected` events and the sentinel's `sentinelEntries`, checks the sentinel came last, returns the rest. */
    const before = async (sub: typeof aliceAll, expected: number, sentinelId: string, sentinelEntries = 1) => {
      const events = (await sub.waitFor(expected + sentinelEntries)).map((e) => e.accountActivity);
      expect(events).toHaveLength(expected + sentinelEntries);
      expect(events.slice(expected).map((e) => e.transfer?.id)).toEqual(Array(sentinelEntries).fill(sentinelId));
      return events.slice(0, expected);
    };

    const alices = await before(aliceAll, 4, aliceSentinel.createTransfer.id, 2);
    expect(alices.map((e) => [e.accountId, e.direction, e.amount.minor, e.balanceAfter.minor])).toEqual([
      [a1.id, 'DEBIT', '700', '9300'],
      [a1.id, 'DEBIT', '300', '9000'],
      [a2.id, 'CREDIT', '300', '300'],
      [a2.id, 'CREDIT', '5', '305'],
    ]);
    expect(alices[0]!.transfer).toMatchObject({ id: toBob.createTransfer.id, status: 'POSTED', idempotencyKey: 'alice-key', toAccountNumber: b1.number });
    expect(alices[0]!.description).toBe('Dinner');

    const bobs = await before(bobAll, 1, bobSentinel.createTransfer.id);
    expect(bobs.map((e) => [e.accountId, e.direction, e.amount.minor])).toEqual([[b1.id, 'CREDIT', '700']]);
    expect(bobs[0]!.transfer).toMatchObject({ id: toBob.createTransfer.id, idempotencyKey: null, fromAccountNumber: a1.number });

    const a2Only = await before(aliceA2, 2, aliceSentinel.createTransfer.id);
    expect(a2Only.map((e) => [e.accountId, e.amount.minor])).toEqual([
      [a2.id, '300'],
      [a2.id, '5'],
    ]);

    const carols = await before(carolAll, 1, bobSentinel.createTransfer.id);
    expect(carols.map((e) => [e.accountId, e.direction, e.amount.minor])).toEqual([[c1.id, 'DEBIT', '5']]);
    for (const s of [aliceAll, aliceA2, bobAll, carolAll]) expect(s.errors).toEqual([]);
  });

  it('requires a signed-in caller: a socket without a token is refused at connection_init (4403)', async () => {
    const sub = collect(server.ws(), AccountActivityDocument, {});
    const { error } = await sub.ended;
    expect((error as { code?: number }).code).toBe(4403);
    expect(sub.events).toEqual([]);
  });
});
