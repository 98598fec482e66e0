/*
 * What each tool is called where people see it, by tool name: `step` is the ThinkingStep a
 * user sees while it runs, `task` what the assistant says it could not do ("I couldn't make
 * that jar"). A tool's name is one of these keys, so no tool goes without either.
 */

export interface ToolLabel {
  step: string;
  task: string;
}

export const TOOL_LABELS = {
  structure_journal: { step: 'Organising your journal draft', task: 'add that to your journal draft' },
  save_journal: { step: 'Saving your journal entry', task: 'save your journal' },
  update_preferences: { step: 'Updating your preferences', task: 'update your preferences' },
  list_journal_entries: { step: 'Reading your journal', task: 'read your journal' },
  list_accounts: { step: 'Reading your accounts', task: 'read your accounts' },
  recent_transactions: { step: 'Looking through your transactions', task: 'read your transactions' },
  monthly_summary: { step: 'Summarising your months', task: 'build your monthly summary' },
  propose_transfer: { step: 'Preparing a transfer for you to confirm', task: 'prepare that transfer' },
  list_cards: { step: 'Reading your cards', task: 'read your cards' },
  card_spending: { step: 'Adding up your card payments', task: 'add up your card spending' },
  budget_overview: { step: 'Reading your budget', task: 'read your budget' },
  spending_insights: { step: 'Looking at where your money went', task: 'work out where your money went' },
  set_monthly_income: { step: 'Updating your monthly income', task: 'set your monthly income' },
  create_jar: { step: 'Making a new jar', task: 'make that jar' },
  list_goals: { step: 'Reading your goals', task: 'read your goals' },
  create_goal: { step: 'Adding your goal', task: 'add that goal' },
  update_goal: { step: 'Updating your goal', task: 'update that goal' },
  plan_day: { step: 'Planning your day', task: 'plan your day' },
  list_plan: { step: 'Reading your plan', task: 'read your plan' },
  set_item_status: { step: 'Updating your plan', task: 'update that plan item' },
  propose_goal_contribution: { step: 'Preparing a contribution to your goal for you to confirm', task: 'prepare that contribution to your goal' },
  list_transactions: { step: 'Reading your transactions from every source', task: 'read your transactions' },
  record_cash_spending: { step: 'Recording your cash spending', task: 'record that spending' },
  categorize_transaction: { step: 'Categorising that transaction', task: 'categorise that transaction' },
  list_linked_accounts: { step: 'Reading your linked accounts', task: 'read your linked accounts' },
  sync_linked_accounts: { step: 'Syncing your linked accounts', task: 'sync your linked accounts' },
  group_balances: { step: "Reading the group's balances", task: "read the group's balances" },
  list_group_expenses: { step: "Reading the group's expenses", task: "read the group's expenses" },
  propose_group_expense: { step: 'Preparing a group expense for a member to confirm', task: 'prepare that group expense' },
  suggest_settlements: { step: 'Working out who pays whom', task: 'work out how to settle up' },
} as const satisfies Record<string, ToolLabel>;

export type ToolName = keyof typeof TOOL_LABELS;

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(TOOL_LABELS, name);
}
