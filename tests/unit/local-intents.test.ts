import { describe, expect, it } from 'vitest';
import { decide } from '../../src/modules/agent/llm/local.decide.js';
import { DEFAULT_TEMPLATE_SECTIONS } from '../../src/modules/drafts/sections.rules.js';
import type { AgentContext, ChatMessage, ConversationType } from '../../src/modules/agent/llm/provider.js';
import { CONVERSATION_TOOLS } from '../../src/modules/agent/tools/conversation-tools.js';

const context = (conversationType: ConversationType): AgentContext => ({
  conversationType,
  templateSections: DEFAULT_TEMPLATE_SECTIONS,
  draftSections: [],
  emptySections: [],
  accounts: [],
  preferences: { preferredFeedbackStyle: 'SUPPORTIVE', purposeStatement: null },
});

function next(type: ConversationType, messages: ChatMessage[]) {
  const tools = CONVERSATION_TOOLS[type].map((name) => ({ name, description: name, parameters: { type: 'object' } }));
  return decide({ messages, tools, context: context(type), signal: new AbortController().signal }, new Date('2026-12-07T12:00:00Z'));
}

const say = (type: ConversationType, text: string) => next(type, [{ role: 'user', content: text }]);

describe('the offline assistant’s one intent table', () => {
  it('says what it can do from the examples of the rows whose tools the conversation offers', () => {
    const coaching = say('COACHING', 'help');
    expect(coaching).toMatchObject({ type: 'answer' });
    const text = (coaching as { text: string }).text;
    for (const phrase of ['"set my income to 4200 dollars"', '"make a jar for travel with 10%"', '"where can I save money?"', '"what fees are coming up?"'])
      expect(text).toContain(phrase);
    expect(text).not.toContain('"plan my day tomorrow');
    const journaling = (say('JOURNALING', 'help') as { text: string }).text;
    expect(journaling).toContain('"save the journal"');
    expect(journaling).not.toMatch(/jar|income|fees/);
  });

  it('names a failed tool by its own label: a failed plan_day could not "plan your day"', () => {
    const failed = next('PLANNING', [
      { role: 'user', content: 'plan my day tomorrow: gym at 7' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'plan_day', arguments: '{}' }] },
      {
        role: 'tool',
        toolCallId: 'call_1',
        name: 'plan_day',
        content: JSON.stringify({ error: { code: 'BAD_USER_INPUT', message: 'date is too far ahead' } }),
      },
    ]);
    expect(failed).toMatchObject({ type: 'answer', text: "I couldn't plan your day: date is too far ahead." });
  });

  it('reads the new budget and goal phrases in the conversations whose tools answer them, and leaves them to the journal elsewhere', () => {
    expect(say('GENERAL', 'where can I save money?')).toMatchObject({ type: 'call', name: 'spending_insights', args: {} });
    expect(say('COACHING', 'what fees are coming up?')).toMatchObject({ type: 'call', name: 'spending_insights', args: {} });
    expect(say('PLANNING', 'how are my goals going?')).toMatchObject({ type: 'call', name: 'list_goals' });
    expect(say('COACHING', 'whats left in my dining jar?')).toMatchObject({ type: 'call', name: 'budget_overview' });
    expect(say('JOURNALING', 'Where can I save money, I keep asking myself.')).toMatchObject({ type: 'call', name: 'structure_journal' });
  });
});

describe('the feed rows (every source)', () => {
  it('records cash said in COACHING, adds up a merchant or a month from the feed, and leaves the same words to others where their tools are not offered', () => {
    expect(say('COACHING', 'I spent 12 dollars cash on lunch')).toMatchObject({
      type: 'call',
      name: 'record_cash_spending',
      args: { amountMinor: '1200', currency: 'USD', description: 'Lunch (cash)', category: 'DINING' },
    });
    expect(say('COACHING', 'I paid €8.50 in cash for a taxi')).toMatchObject({
      name: 'record_cash_spending',
      args: { amountMinor: '850', currency: 'EUR', description: 'Taxi (cash)', category: 'TRANSPORT' },
    });
    expect(say('GENERAL', 'what did I spend at Fresh Market?')).toMatchObject({ name: 'list_transactions', args: { search: 'Fresh Market', first: 100 } });
    expect(say('COACHING', 'how much did I spend at Corner Bistro in November?')).toMatchObject({
      name: 'list_transactions',
      args: { search: 'Corner Bistro', first: 100, month: '2026-11' },
    });
    expect(say('GENERAL', 'how much did I spend last month?')).toMatchObject({ name: 'spending_insights', args: { month: '2026-11' } });
    expect(say('COACHING', 'how much have I spent this month')).toMatchObject({ name: 'spending_insights', args: { month: '2026-12' } });
    // A category stays the card row's; a question is never recorded; journaling keeps the words.
    expect(say('COACHING', 'how much did I spend on dining last month?')).toMatchObject({ name: 'card_spending' });
    expect(say('COACHING', 'how much cash did I spend?')).not.toMatchObject({ name: 'record_cash_spending' });
    expect(say('JOURNALING', 'I spent 12 dollars cash on lunch')).toMatchObject({ name: 'structure_journal' });
  });
});
