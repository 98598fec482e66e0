import type { ConversationType } from '../../chat/chat-session.entity.js';
import type { ToolName } from './tool-labels.js';

/*
 * The one table of which tools each conversation type offers (the README shows it). A tool
 * not listed for a session's type is never sent to the model, and a call to it is refused.
 */

const READ_MONEY = ['list_accounts', 'recent_transactions', 'monthly_summary'] as const;
const READ_CARDS = ['list_cards', 'card_spending'] as const;
const READ_GOALS = ['list_goals'] as const;
const READ_BUDGET = ['budget_overview', 'spending_insights'] as const;
const READ_FEED = ['list_transactions', 'list_linked_accounts'] as const;

export const CONVERSATION_TOOLS: Readonly<Record<ConversationType, readonly ToolName[]>> = {
  GENERAL: [...READ_MONEY, ...READ_CARDS, ...READ_BUDGET, ...READ_FEED, ...READ_GOALS, 'list_plan'],
  JOURNALING: ['structure_journal', 'save_journal', 'update_preferences'],
  COACHING: [
    ...READ_MONEY,
    'propose_transfer',
    ...READ_CARDS,
    ...READ_BUDGET,
    'set_monthly_income',
    'create_jar',
    ...READ_FEED,
    'record_cash_spending',
    'categorize_transaction',
    'sync_linked_accounts',
  ],
  PLANNING: [...READ_GOALS, 'create_goal', 'update_goal', 'plan_day', 'list_plan', 'set_item_status', 'propose_goal_contribution'],
  REFLECTION: ['list_journal_entries', ...READ_GOALS],
  // The group's own conversation: only the group's money, never a member's accounts.
  GROUP: ['group_balances', 'list_group_expenses', 'propose_group_expense', 'suggest_settlements'],
};
