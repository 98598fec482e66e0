import { afterAll, beforeAll, expect, it } from 'vitest';
import { CardDocument, IssueCardDocument, RecordCardPaymentDocument } from '../generated/graphql.js';
import { balanceOf, deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { describeNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { ledgerSnapshot, ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let op: string;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, DB_POOL_MAX: '20' } });
  op = await loginOperator(server);
  user = await registerUser(server);
});
afterAll(() => server?.stop());

async function cardOn(deposited: number, monthlyLimitMinor?: string) {
  const account = await openAccount(server, user.token);
  await deposit(server, op, account.id, deposited);
  const card = (await server.ok(IssueCardDocument, { input: { accountId: account.id, kind: 'PHYSICAL', monthlyLimitMinor } }, { token: user.token })).issueCard;
  return { account, card };
}

const pay = (cardId: string, amountMinor: string, idempotencyKey = key()) =>
  server.gql(
    RecordCardPaymentDocument,
    { input: { cardId, merchant: 'Kiosk', merchantCategoryCode: '5499', amountMinor, currency: 'USD', idempotencyKey } },
    { token: op },
  );

describeNeeding(RACES_NEED_POSTGRES, 'card payments racing on PostgreSQL', () => {
  it('approves exactly 10 of 50 concurrent payments against a monthly limit that allows 10', async () => {
    const { account, card } = await cardOn(1_000_000, '1000');
    const results = await Promise.all(Array.from({ length: 50 }, () => pay(card.id, '100')));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const statuses = results.map((r) => r.data!.recordCardPayment);
    expect(statuses.filter((p) => p.status === 'APPROVED')).toHaveLength(10);
    expect(statuses.filter((p) => p.declineReason === 'MONTHLY_LIMIT_EXCEEDED')).toHaveLength(40);
    expect(await balanceOf(server, user.token, account.id)).toBe(String(1_000_000 - 1000));
    expect((await server.ok(CardDocument, { id: card.id }, { token: user.token })).card.spentThisMonth.minor).toBe('1000');
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('approves exactly 10 of 50 concurrent payments against a balance that allows 10', async () => {
    const { account, card } = await cardOn(1000);
    const results = await Promise.all(Array.from({ length: 50 }, () => pay(card.id, '100')));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const statuses = results.map((r) => r.data!.recordCardPayment);
    expect(statuses.filter((p) => p.status === 'APPROVED')).toHaveLength(10);
    expect(statuses.filter((p) => p.declineReason === 'INSUFFICIENT_FUNDS')).toHaveLength(40);
    expect(await balanceOf(server, user.token, account.id)).toBe('0');
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('posts once when the same key is sent 20 times at once, and every request gets that payment', async () => {
    const { account, card } = await cardOn(10_000);
    const shared = key();
    const before = await ledgerSnapshot(server.app);
    const results = await Promise.all(Array.from({ length: 20 }, () => pay(card.id, '2500', shared)));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(new Set(results.map((r) => r.data!.recordCardPayment.id)).size).toBe(1);
    expect(results[0]!.data!.recordCardPayment.status).toBe('APPROVED');
    const after = await ledgerSnapshot(server.app);
    expect(after.transfers - before.transfers).toBe(1);
    expect(after.entries - before.entries).toBe(2);
    expect(await balanceOf(server, user.token, account.id)).toBe('7500');

    const reused = await Promise.all(Array.from({ length: 5 }, (_, i) => pay(card.id, String(2501 + i), shared)));
    expect(reused.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(5).fill('IDEMPOTENCY_KEY_REUSED'));
    expect(await ledgerSnapshot(server.app)).toEqual(after);
    expect(await ledgerViolations(server.app)).toEqual([]);
  });
});
