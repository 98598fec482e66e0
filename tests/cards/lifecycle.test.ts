import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountActivityDocument,
  AccountEntriesDocument,
  AccountCardsDocument,
  CancelCardDocument,
  CardDocument,
  CardPaymentsDocument,
  CardsDocument,
  CloseAccountDocument,
  CreateTransferDocument,
  ExportMyDataDocument,
  FreezeCardDocument,
  ImportMyDataDocument,
  IssueCardDocument,
  RecordCardPaymentDocument,
  UnfreezeCardDocument,
  UpdateCardDocument,
  type CardFieldsFragment,
} from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { TestClock } from '../helpers/clock.js';
import { ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';
import { subscribers } from '../helpers/wait.js';
import { codeOf } from '../helpers/errors.js';

const clock = new TestClock();
let server: TestServer;
let op: string;
let user: TestUser;
let intruder: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, clock });
  op = await loginOperator(server);
  user = await registerUser(server);
  intruder = await registerUser(server);
});
afterAll(() => server?.stop());

async function issue(accountId: string, extra: { label?: string; monthlyLimitMinor?: string } = {}, token = user.token): Promise<CardFieldsFragment> {
  return (await server.ok(IssueCardDocument, { input: { accountId, kind: 'VIRTUAL', ...extra } }, { token })).issueCard;
}

function pay(cardId: string, amountMinor: string, extra: { currency?: string; mcc?: string; merchant?: string; idempotencyKey?: string } = {}) {
  return server.gql(
    RecordCardPaymentDocument,
    {
      input: {
        cardId,
        merchant: extra.merchant ?? 'Corner Grocer',
        merchantCategoryCode: extra.mcc ?? '5411',
        amountMinor,
        currency: extra.currency ?? 'USD',
        idempotencyKey: extra.idempotencyKey ?? key(),
      },
    },
    { token: op },
  );
}

async function paid(cardId: string, amountMinor: string, extra: Parameters<typeof pay>[2] = {}) {
  const r = await pay(cardId, amountMinor, extra);
  expect(r.errors).toBeUndefined();
  return r.data!.recordCardPayment;
}

describe('card lifecycle', () => {
  it('issues a card with only its last four digits, an expiry at the end of the month three years on, and lists it', async () => {
    const account = await openAccount(server, user.token);
    const now = clock.now();
    const card = await issue(account.id, { label: '  Groceries card ', monthlyLimitMinor: '50000' });
    expect(card).toMatchObject({ kind: 'VIRTUAL', label: 'Groceries card', status: 'ACTIVE', account: { id: account.id } });
    expect(card.last4).toMatch(/^\d{4}$/);
    expect(card.description).toBe(`Virtual card ending ${card.last4}`);
    expect(card.expiryMonth).toBe(now.getUTCMonth() + 1);
    expect(card.expiryYear).toBe(now.getUTCFullYear() + 3);
    expect(card.monthlyLimit).toEqual({ minor: '50000', currency: 'USD', decimal: '500.00' });
    expect(card.spentThisMonth.minor).toBe('0');
    expect((await server.ok(CardsDocument, { accountId: account.id }, { token: user.token })).cards.map((c) => c.id)).toEqual([card.id]);
    expect((await server.ok(AccountCardsDocument, { id: account.id }, { token: user.token })).account.cards.map((c) => c.id)).toEqual([card.id]);
    expect((await server.ok(CardsDocument, {}, { token: intruder.token })).cards).toEqual([]);
  });

  it('updates the label and limit, freezes, unfreezes and cancels for good (CARD_NOT_ACTIVE after)', async () => {
    const account = await openAccount(server, user.token);
    const card = await issue(account.id);
    const updated = (await server.ok(UpdateCardDocument, { id: card.id, input: { label: 'Travel', monthlyLimitMinor: '1000' } }, { token: user.token }))
      .updateCard;
    expect(updated).toMatchObject({ label: 'Travel', monthlyLimit: { minor: '1000' } });
    const cleared = (await server.ok(UpdateCardDocument, { id: card.id, input: { clearMonthlyLimit: true } }, { token: user.token })).updateCard;
    expect(cleared).toMatchObject({ label: 'Travel', monthlyLimit: null });
    expect((await server.ok(FreezeCardDocument, { id: card.id }, { token: user.token })).freezeCard.status).toBe('FROZEN');
    expect((await server.ok(UnfreezeCardDocument, { id: card.id }, { token: user.token })).unfreezeCard.status).toBe('ACTIVE');
    expect((await server.ok(CancelCardDocument, { id: card.id }, { token: user.token })).cancelCard.status).toBe('CANCELLED');
    expect(codeOf(await server.gql(FreezeCardDocument, { id: card.id }, { token: user.token }))).toBe('CARD_NOT_ACTIVE');
    expect(codeOf(await server.gql(UnfreezeCardDocument, { id: card.id }, { token: user.token }))).toBe('CARD_NOT_ACTIVE');
    expect(codeOf(await server.gql(UpdateCardDocument, { id: card.id, input: { label: 'x' } }, { token: user.token }))).toBe('CARD_NOT_ACTIVE');
  });

  it('refuses a card on a closed account, and closeAccount cancels the account’s cards', async () => {
    const account = await openAccount(server, user.token);
    const card = await issue(account.id);
    await server.ok(CloseAccountDocument, { id: account.id }, { token: user.token });
    expect((await server.ok(CardDocument, { id: card.id }, { token: user.token })).card.status).toBe('CANCELLED');
    expect(codeOf(await server.gql(IssueCardDocument, { input: { accountId: account.id, kind: 'PHYSICAL' } }, { token: user.token }))).toBe('ACCOUNT_CLOSED');
  });
});

describe('ownership', () => {
  it('answers NOT_FOUND to every card operation with another user’s card or account id', async () => {
    const account = await openAccount(server, user.token);
    const card = await issue(account.id);
    const as = { token: intruder.token };
    const results = [
      await server.gql(CardDocument, { id: card.id }, as),
      await server.gql(CardsDocument, { accountId: account.id }, as),
      await server.gql(IssueCardDocument, { input: { accountId: account.id, kind: 'VIRTUAL' } }, as),
      await server.gql(UpdateCardDocument, { id: card.id, input: { label: 'mine' } }, as),
      await server.gql(FreezeCardDocument, { id: card.id }, as),
      await server.gql(UnfreezeCardDocument, { id: card.id }, as),
      await server.gql(CancelCardDocument, { id: card.id }, as),
      await server.gql(CardPaymentsDocument, { accountId: account.id }, as),
      await server.gql(CardDocument, { id: 'not-a-uuid' }, as),
    ];
    expect(results.map(codeOf)).toEqual(Array(results.length).fill('NOT_FOUND'));
    expect((await server.ok(CardDocument, { id: card.id }, { token: user.token })).card).toMatchObject({ status: 'ACTIVE', label: null });
    expect(codeOf(await pay('01900000-0000-7000-8000-000000000000', '100'))).toBe('NOT_FOUND');
  });

  it('lets only the OPERATOR record a card payment', async () => {
    const account = await openAccount(server, user.token);
    const card = await issue(account.id);
    const r = await server.gql(
      RecordCardPaymentDocument,
      { input: { cardId: card.id, merchant: 'Me', merchantCategoryCode: '5411', amountMinor: '1', currency: 'USD', idempotencyKey: key() } },
      { token: user.token },
    );
    expect(codeOf(r)).toBe('FORBIDDEN');
  });
});

describe('card payments', () => {
  it('posts an approved payment as one transfer to the card-settlement account, described by the merchant, categorized by MCC', async () => {
    const account = await openAccount(server, user.token);
    await deposit(server, op, account.id, 10_000);
    const card = await issue(account.id);
    const payment = await paid(card.id, '2550', { merchant: 'Trattoria Roma', mcc: '5812' });
    expect(payment).toMatchObject({ status: 'APPROVED', declineReason: null, category: 'DINING', merchantCategoryCode: '5812', amount: { minor: '2550' } });
    const entries = (await server.ok(AccountEntriesDocument, { id: account.id }, { token: user.token })).account;
    expect(entries.balance.minor).toBe('7450');
    expect(entries.entries.edges[0]!.node).toMatchObject({ direction: 'DEBIT', description: 'Trattoria Roma', amount: { minor: '2550' } });
    const list = (await server.ok(CardPaymentsDocument, { accountId: account.id }, { token: user.token })).cardPayments;
    expect(list.edges[0]!.node).toMatchObject({ id: payment.id, card: { id: card.id }, transfer: { status: 'POSTED', description: 'Trattoria Roma' } });
    expect((await server.ok(CardDocument, { id: card.id }, { token: user.token })).card.spentThisMonth.minor).toBe('2550');
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('answers the network with the payment and its card (last four digits), but not the card owner’s account or other payments', async () => {
    const account = await openAccount(server, user.token);
    await deposit(server, op, account.id, 1_000);
    const card = await issue(account.id);
    const r = await server.gql<{ recordCardPayment: { card: { id: string; last4: string } } }, Record<string, unknown>>(
      'mutation($input: RecordCardPaymentInput!) { recordCardPayment(input: $input) { status card { id last4 } } }',
      { input: { cardId: card.id, merchant: 'Corner Grocer', merchantCategoryCode: '5411', amountMinor: '100', currency: 'USD', idempotencyKey: key() } },
      { token: op },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.recordCardPayment.card).toEqual({ id: card.id, last4: card.last4 });
    const deeper = await server.gql(
      'mutation($input: RecordCardPaymentInput!) { recordCardPayment(input: $input) { card { account { id } } } }',
      { input: { cardId: card.id, merchant: 'Corner Grocer', merchantCategoryCode: '5411', amountMinor: '100', currency: 'USD', idempotencyKey: key() } },
      { token: op },
    );
    expect(codeOf(deeper)).toBe('NOT_FOUND');
  });

  it('publishes an approved payment on accountActivity with the merchant as description; a decline publishes nothing', async () => {
    const account = await openAccount(server, user.token);
    await deposit(server, op, account.id, 1000);
    const card = await issue(account.id);
    const base = (server.app.deps.pubsub as unknown as { subscriberCount: number }).subscriberCount;
    const activity = collect(server.ws(user.token), AccountActivityDocument, { accountId: account.id });
    await subscribers(server.app, base + 1);
    await server.ok(FreezeCardDocument, { id: card.id }, { token: user.token });
    expect((await paid(card.id, '100', { merchant: 'Blocked Shop' })).status).toBe('DECLINED');
    await server.ok(UnfreezeCardDocument, { id: card.id }, { token: user.token });
    const payment = await paid(card.id, '250', { merchant: 'Metro Transit', mcc: '4111' });
    const [event] = await activity.waitFor(1);
    activity.stop();
    expect(payment.category).toBe('TRANSPORT');
    expect(event!.accountActivity).toMatchObject({
      direction: 'DEBIT',
      description: 'Metro Transit',
      amount: { minor: '250' },
      balanceAfter: { minor: '750' },
    });
    expect(activity.events).toHaveLength(1);
  });

  it('refuses a malformed MCC or amount as BAD_USER_INPUT and stores nothing', async () => {
    const account = await openAccount(server, user.token);
    const card = await issue(account.id);
    const bad = await pay(card.id, '100', { mcc: '54a1' });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field: 'merchantCategoryCode' })]);
    expect(codeOf(await pay(card.id, '0'))).toBe('BAD_USER_INPUT');
    expect((await server.ok(CardPaymentsDocument, { accountId: account.id }, { token: user.token })).cardPayments.totalCount).toBe(0);
  });

  it('reaches every DeclineReason, keeps each decline and moves no money', async () => {
    const account = await openAccount(server, user.token);
    await deposit(server, op, account.id, 1000);
    const card = await issue(account.id, { monthlyLimitMinor: '600' });
    const reasons: Array<string | null | undefined> = [];
    const declined = async (amount: string, extra: Parameters<typeof pay>[2] = {}, cardId = card.id) => {
      const p = await paid(cardId, amount, extra);
      expect(p.status).toBe('DECLINED');
      reasons.push(p.declineReason);
    };
    await declined('700'); // over the month's 600
    await paid(card.id, '500');
    await declined('200'); // 500 + 200 > 600
    await server.ok(UpdateCardDocument, { id: card.id, input: { clearMonthlyLimit: true } }, { token: user.token });
    await declined('600'); // 500 left
    await declined('10', { currency: 'EUR' });
    await server.ok(FreezeCardDocument, { id: card.id }, { token: user.token });
    await declined('10');
    await server.ok(UnfreezeCardDocument, { id: card.id }, { token: user.token });
    clock.set(new Date(Date.UTC(clock.now().getUTCFullYear() + 3, clock.now().getUTCMonth() + 1, 1)));
    const operatorNow = op;
    try {
      // A token from now would be long expired then: the network signs in again.
      op = await loginOperator(server);
      await declined('10');
    } finally {
      clock.reset();
      op = operatorNow;
    }
    await server.ok(CancelCardDocument, { id: card.id }, { token: user.token });
    await declined('10');
    const other = await openAccount(server, user.token);
    const second = await issue(other.id);
    await server.ok(CloseAccountDocument, { id: other.id }, { token: user.token });
    await declined('10', {}, second.id);
    expect(reasons).toEqual([
      'MONTHLY_LIMIT_EXCEEDED',
      'MONTHLY_LIMIT_EXCEEDED',
      'INSUFFICIENT_FUNDS',
      'CURRENCY_MISMATCH',
      'CARD_FROZEN',
      'CARD_EXPIRED',
      'CARD_CANCELLED',
      'ACCOUNT_CLOSED',
    ]);
    const list = (await server.ok(CardPaymentsDocument, { accountId: account.id, first: 100 }, { token: user.token })).cardPayments;
    expect(list.edges.filter((e) => e.node.status === 'DECLINED').map((e) => e.node.transfer)).toEqual(Array(7).fill(null));
    expect((await server.ok(AccountEntriesDocument, { id: account.id }, { token: user.token })).account.balance.minor).toBe('500');
    expect(await ledgerViolations(server.app)).toEqual([]);
  });

  it('replays a key’s first answer, pins a decline to its key even after unfreezing, and refuses the key for another request', async () => {
    const account = await openAccount(server, user.token);
    await deposit(server, op, account.id, 1000);
    const card = await issue(account.id);
    const approvedKey = key();
    const first = await paid(card.id, '100', { idempotencyKey: approvedKey });
    expect(await paid(card.id, '100', { idempotencyKey: approvedKey })).toEqual(first);

    await server.ok(FreezeCardDocument, { id: card.id }, { token: user.token });
    const declineKey = key();
    const decline = await paid(card.id, '100', { idempotencyKey: declineKey });
    expect(decline.declineReason).toBe('CARD_FROZEN');
    await server.ok(UnfreezeCardDocument, { id: card.id }, { token: user.token });
    expect(await paid(card.id, '100', { idempotencyKey: declineKey })).toEqual(decline);

    expect(codeOf(await pay(card.id, '101', { idempotencyKey: approvedKey }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(codeOf(await pay(card.id, '100', { idempotencyKey: declineKey, merchant: 'Elsewhere' }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await server.ok(AccountEntriesDocument, { id: account.id }, { token: user.token })).account.balance.minor).toBe('900');
  });

  it('filters payments by category and month and pages them with a cursor', async () => {
    const account = await openAccount(server, user.token);
    await deposit(server, op, account.id, 10_000);
    const card = await issue(account.id);
    for (const mcc of ['5411', '5812', '5411', '4111', '5411']) await paid(card.id, '10', { mcc });
    const groceries = (await server.ok(CardPaymentsDocument, { accountId: account.id, category: 'GROCERIES' }, { token: user.token })).cardPayments;
    expect(groceries.totalCount).toBe(3);
    const month = clock.now().toISOString().slice(0, 7);
    const page1 = (await server.ok(CardPaymentsDocument, { accountId: account.id, month, first: 2 }, { token: user.token })).cardPayments;
    expect(page1.edges).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const rest = (await server.ok(CardPaymentsDocument, { accountId: account.id, month, first: 10, after: page1.pageInfo.endCursor }, { token: user.token }))
      .cardPayments;
    expect(rest.edges.map((e) => e.node.category)).toEqual(['GROCERIES', 'DINING', 'GROCERIES']);
    expect(new Set([...page1.edges, ...rest.edges].map((e) => e.node.id)).size).toBe(5);
    expect((await server.ok(CardPaymentsDocument, { accountId: account.id, month: '2001-01' }, { token: user.token })).cardPayments.totalCount).toBe(0);
    expect(codeOf(await server.gql(CardPaymentsDocument, { month: '2001-13' }, { token: user.token }))).toBe('BAD_USER_INPUT');
  });
});

describe('no card number anywhere', () => {
  const PAN_WORDS = /pan\b|cardnumber|fullnumber|cvv|cvc|securitycode|\bnumber\b/i;

  it('has no schema field that could carry a card number or security code', async () => {
    const r = await server.ok<{ __schema: { types: Array<{ name: string; fields: Array<{ name: string }> | null }> } }, Record<string, never>>(
      '{ __schema { types { name fields { name } } } }',
      {},
    );
    const cardTypes = r.__schema.types.filter((t) => t.fields !== null && /card/i.test(t.name));
    expect(cardTypes.map((t) => t.name).sort()).toEqual(['Card', 'CardPayment', 'CardPaymentConnection', 'CardPaymentEdge']);
    for (const t of cardTypes) for (const f of t.fields ?? []) expect(`${t.name}.${f.name}`).not.toMatch(PAN_WORDS);
    const card = r.__schema.types.find((t) => t.name === 'Card')!;
    expect(card.fields!.map((f) => f.name).sort()).toEqual(
      [
        'account',
        'createdAt',
        'description',
        'expiryMonth',
        'expiryYear',
        'id',
        'kind',
        'label',
        'last4',
        'monthlyLimit',
        'payments',
        'spentThisMonth',
        'status',
      ].sort(),
    );
  });

  it('keeps at most four digits of a card in every answer and export, and import restores the cards', async () => {
    const source = await registerUser(server);
    const account = await openAccount(server, source.token, 'USD', 'Checking');
    await deposit(server, op, account.id, 5000);
    const card = await issue(account.id, { label: 'Everyday', monthlyLimitMinor: '3000' }, source.token);
    await paid(card.id, '1234');
    const exported = (await server.ok(ExportMyDataDocument, {}, { token: source.token })).exportMyData as { cards: unknown[] };
    expect(exported.cards).toEqual([
      {
        account: { number: account.number, name: 'Checking', currency: 'USD' },
        kind: 'VIRTUAL',
        label: 'Everyday',
        last4: card.last4,
        expiryMonth: card.expiryMonth,
        expiryYear: card.expiryYear,
        status: 'ACTIVE',
        monthlyLimitMinor: '3000',
        createdAt: card.createdAt,
      },
    ]);
    // A card number is 13 to 19 digits; account numbers are 12 after "CG", amounts here are short.
    const texts = [JSON.stringify(exported), JSON.stringify(await server.ok(CardDocument, { id: card.id }, { token: source.token }))];
    for (const text of texts) expect(text).not.toMatch(/\d{13,}/);
    expect(server.rawLogs()).not.toMatch(/\b9\d{15}\b/);

    const target = await registerUser(server);
    await openAccount(server, target.token, 'USD', 'Checking');
    const summary = await server.ok(ImportMyDataDocument, { data: exported }, { token: target.token });
    expect(summary.importMyData.cards).toBe(1);
    const restored = (await server.ok(CardsDocument, {}, { token: target.token })).cards;
    expect(restored).toEqual([
      expect.objectContaining({ last4: card.last4, label: 'Everyday', status: 'ACTIVE', monthlyLimit: expect.objectContaining({ minor: '3000' }) }),
    ]);
    expect((await server.ok(ImportMyDataDocument, { data: exported }, { token: target.token })).importMyData.cards).toBe(0);
    expect((await server.ok(CardsDocument, {}, { token: target.token })).cards).toHaveLength(1);
  });
});

describe('transfers still work beside cards', () => {
  it('posts an ordinary transfer from a card account', async () => {
    const a = await openAccount(server, user.token);
    const b = await openAccount(server, user.token);
    await deposit(server, op, a.id, 100);
    await issue(a.id);
    const t = await server.ok(
      CreateTransferDocument,
      { input: { fromAccountId: a.id, toAccountId: b.id, amountMinor: '40', currency: 'USD', idempotencyKey: key() } },
      { token: user.token },
    );
    expect(t.createTransfer.status).toBe('POSTED');
  });
});
