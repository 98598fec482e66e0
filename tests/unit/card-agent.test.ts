import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { detectIntent } from '../../src/modules/agent/llm/local.intents.js';
import { cardSpending, freezeProposal, type CardRef } from '../../src/modules/agent/llm/local.replies.js';
import { summarizeSpending } from '../../src/modules/agent/tools/card.tools.js';
import { CardPaymentStatus, DeclineReason } from '../../src/modules/cards/card-payment.entity.js';
import type { CardPaymentView } from '../../src/modules/cards/card.types.js';
import { SpendingCategory } from '../../src/modules/cards/mcc.rules.js';
import { money } from '../../src/shared/money.js';

describe('the local assistant hears card requests', () => {
  it.each([
    ['what did I spend on dining last month?', { kind: 'card_spending', category: 'DINING', period: 'last_month' }],
    ['How much have I spent on groceries this month', { kind: 'card_spending', category: 'GROCERIES', period: 'this_month' }],
    ['how much did I pay at Blue Bottle Coffee last week?', { kind: 'card_spending', merchant: 'Blue Bottle Coffee', period: 'last_week' }],
    ['show my card spending', { kind: 'card_spending' }],
    ['freeze my card', { kind: 'freeze_card' }],
    ['please block the card ending 4242', { kind: 'freeze_card' }],
  ])('%j', (text, expected) => {
    expect(detectIntent(text, 'COACHING')).toMatchObject(expected);
  });

  it.each([
    'I froze when my card was declined',
    'I spent the evening at a restaurant with Sam',
    'what did I spend on coffee last week in Checking?',
    'how much did I spend last month',
    'how much did I spend on Monday?',
  ])('leaves %j to the other rules', (text) => {
    expect(detectIntent(text, 'COACHING').kind).not.toMatch(/card/);
  });
});

const card = (over: Partial<CardRef> = {}): CardRef => ({
  id: 'card-1',
  label: 'Everyday',
  last4: '4242',
  kind: 'PHYSICAL',
  status: 'ACTIVE',
  accountName: 'Checking',
  ...over,
});

describe('freezeProposal', () => {
  it('names the one card and sends the user to freezeCard', () => {
    const text = freezeProposal([card()], 'freeze my card');
    expect(text).toContain('ending 4242');
    expect(text).toContain('freezeCard (id card-1)');
    expect(text).toMatch(/can't freeze a card myself/);
  });

  it('asks which one when several could be meant, and picks the one named by last4, label or account', () => {
    const cards = [card(), card({ id: 'card-2', last4: '1111', label: 'Online', kind: 'VIRTUAL', accountName: 'Savings' })];
    expect(freezeProposal(cards, 'freeze my card')).toMatch(/Which one/);
    expect(freezeProposal(cards, 'freeze card 1111')).toContain('freezeCard (id card-2)');
    expect(freezeProposal(cards, 'freeze my online card')).toContain('freezeCard (id card-2)');
    expect(freezeProposal(cards, 'freeze the savings card')).toContain('freezeCard (id card-2)');
  });

  it('says so when the card is already frozen or there is none', () => {
    expect(freezeProposal([card({ status: 'FROZEN' })], 'freeze my card')).toMatch(/already frozen/);
    expect(freezeProposal([card({ status: 'CANCELLED' })], 'freeze my card')).toMatch(/don't have a card/);
    expect(freezeProposal([], 'freeze my card')).toMatch(/don't have a card/);
  });
});

const payment = (merchant: string, category: SpendingCategory, minor: bigint, status = CardPaymentStatus.APPROVED): CardPaymentView => ({
  id: `${merchant}-${minor}`,
  merchant,
  merchantCategoryCode: '5812',
  category,
  amount: money(minor, 'USD'),
  status,
  declineReason: status === CardPaymentStatus.DECLINED ? DeclineReason.INSUFFICIENT_FUNDS : null,
  createdAt: new Date('2026-10-05T12:00:00Z'),
  cardId: 'card-1',
  userId: 'user-1',
  transferId: null,
});

describe('summarizeSpending and its answer', () => {
  const payments = [
    payment('Nopa', SpendingCategory.DINING, 7840n),
    payment('Chipotle', SpendingCategory.DINING, 1385n),
    payment('Safeway', SpendingCategory.GROCERIES, 8734n),
    payment('Nopa', SpendingCategory.DINING, 99999n, CardPaymentStatus.DECLINED),
  ];

  it('adds up approved payments per group, largest first, and only counts declines', () => {
    const summary = summarizeSpending(payments, 'category');
    expect(summary.totals).toEqual([{ currency: 'USD', spent: '179.59', spentMinor: '17959', payments: 3 }]);
    expect(summary.groups).toEqual([
      { category: 'DINING', currency: 'USD', spent: '92.25', spentMinor: '9225', payments: 2 },
      { category: 'GROCERIES', currency: 'USD', spent: '87.34', spentMinor: '8734', payments: 1 },
    ]);
    expect(summary.declined).toBe(1);
    expect((summary.largest as Array<{ merchant: string }>)[0]!.merchant).toBe('Safeway');
  });

  it('answers with the category, the amount and the period', () => {
    const dining = summarizeSpending(
      payments.filter((p) => p.category === SpendingCategory.DINING),
      'merchant',
    );
    const text = cardSpending(dining, { category: 'DINING', when: 'last month (2026-10)' });
    expect(text).toMatch(/^Last month \(2026-10\) you spent 92\.25 USD on dining in 2 card payments\./);
    expect(text).toContain('- Nopa: 78.40 USD (1)');
    expect(text).toMatch(/1 declined payment moved no money/);
    expect(cardSpending(summarizeSpending([], 'category'), { category: 'TRAVEL', when: 'today' })).toBe('You had no approved card payments on travel today.');
  });
});
