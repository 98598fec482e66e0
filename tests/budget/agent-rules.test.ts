import { describe, expect, it } from 'vitest';
import { planBudget, type BudgetState } from '../../src/modules/agent/llm/local.budget.js';
import type { AgentContext } from '../../src/modules/agent/llm/provider.js';

const context: AgentContext = {
  conversationType: 'COACHING',
  templateSections: [],
  draftSections: [],
  emptySections: [],
  accounts: [],
  preferences: { preferredFeedbackStyle: 'SUPPORTIVE', purposeStatement: null },
  budget: { month: '2026-11', currency: 'CAD', monthlyIncome: '5000.00', jars: [], spentBySource: [] },
};
const TOOLS = new Set(['budget_overview', 'spending_insights', 'set_monthly_income', 'create_jar', 'monthly_summary']);
const state = (done: BudgetState['done'] = []): BudgetState => ({ done, context, tools: TOOLS, now: new Date('2026-11-30T12:00:00Z') });
const usd = (minor: number, currency = 'USD') => ({ minor: String(minor), currency, decimal: (minor / 100).toFixed(2) });

describe('the local assistant hears budget requests', () => {
  it.each([
    ['how much is left in my groceries jar?', 'budget_overview', {}],
    ['Am I over budget?', 'budget_overview', {}],
    ['where did my money go in October?', 'spending_insights', { month: '2026-10' }],
    ['where did my money go in December?', 'spending_insights', { month: '2025-12' }],
    ['where did my money go last month', 'spending_insights', { month: '2026-10' }],
    ['set my income to 4200 dollars', 'set_monthly_income', { amountMinor: '420000', currency: 'CAD' }],
    ['set my monthly income to €3,100.50', 'set_monthly_income', { amountMinor: '310050', currency: 'EUR' }],
    ['make a jar for travel with 10%', 'create_jar', { name: 'Travel', allocationBasisPoints: 1000, categories: ['TRAVEL'] }],
    ['create a jar called Rainy day with 2.5 percent', 'create_jar', { name: 'Rainy day', allocationBasisPoints: 250 }],
  ])('%j calls %s', (text, name, args) => {
    expect(planBudget(text, 'unknown', state())).toMatchObject({ type: 'call', name, args });
  });

  it.each(['how much did I spend on dining last month?', 'send 50 dollars to savings', 'I went over the bridge', 'set a reminder'])(
    'leaves %j to the other rules',
    (text) => {
      expect(planBudget(text, 'unknown', state())).toBeUndefined();
    },
  );

  it('answers from the overview: what is left, or how far over', () => {
    const overview = {
      month: '2026-11',
      monthlyIncome: usd(500_000),
      jars: [
        { id: 'j1', name: 'Groceries', allocated: usd(60_000), spent: usd(12_345), remaining: usd(47_655) },
        { id: 'j2', name: 'Dining', allocated: usd(20_000), spent: usd(123_456), remaining: usd(-103_456) },
      ],
    };
    const done = [{ name: 'budget_overview', args: {}, result: overview }];
    expect(planBudget('how much is left in my groceries jar?', 'unknown', state(done))).toMatchObject({
      type: 'answer',
      text: 'Your Groceries jar has 476.55 USD left for November 2026: 600.00 USD allocated, 123.45 USD spent.',
    });
    // The jars count every source: the insights of the same month name them.
    expect(planBudget('Am I over budget?', 'unknown', state(done))).toMatchObject({ type: 'call', name: 'spending_insights', args: { month: '2026-11' } });
    const bySource = [
      { source: 'CARD', spent: usd(23_456), transactions: 3, mainCategory: 'DINING' },
      { source: 'TRANSFER', spent: usd(100_000), transactions: 1, mainCategory: 'DINING' },
      { source: 'MANUAL', spent: usd(0), transactions: 0, mainCategory: null },
      { source: 'LINKED', spent: usd(12_345), transactions: 2, mainCategory: 'GROCERIES' },
    ];
    const withInsights = [...done, { name: 'spending_insights', args: { month: '2026-11' }, result: { month: '2026-11', bySource } }];
    expect(planBudget('Am I over budget?', 'unknown', state(withInsights))).toMatchObject({
      text:
        'Yes, in November 2026: Dining is 1,034.56 USD over (1,234.56 USD spent of 200.00 USD). Your other jar is within budget. ' +
        'Counted from every source: 234.56 USD by card, 1,000.00 USD on dining by transfer and 123.45 USD at your other bank.',
    });
    expect(planBudget('how much is left in my holiday jar?', 'unknown', state(done))).toMatchObject({
      text: 'You don\'t have a jar called "holiday". Your jars are Groceries, Dining.',
    });
  });

  it('asks instead of guessing a negative or unknown income', () => {
    expect(planBudget('set my income to -50 dollars', 'unknown', state())).toMatchObject({
      type: 'answer',
      text: expect.stringMatching(/^What is your monthly income\?/),
    });
    expect(planBudget('set my income to 50 BTC', 'unknown', state())).toMatchObject({ type: 'answer' });
  });
});
