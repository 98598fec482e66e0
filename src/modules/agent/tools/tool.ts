import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../shared/clock.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { AccountService } from '../../accounts/account.service.js';
import type { AuthInfo } from '../../auth/auth.types.js';
import type { BudgetService } from '../../budget/budget.service.js';
import type { SpendingInsightsService } from '../../budget/insights.service.js';
import type { CardService } from '../../cards/card.service.js';
import type { ChatSession } from '../../chat/chat-session.entity.js';
import type { ChatService } from '../../chat/chat.service.js';
import type { DraftsService } from '../../drafts/drafts.service.js';
import type { JournalService } from '../../drafts/journal.service.js';
import type { PreferencesService } from '../../preferences/preferences.service.js';
import type { TemplatesService } from '../../drafts/templates.service.js';
import type { LedgerService } from '../../transfers/ledger.service.js';
import type { GoalService } from '../../plans/goals.service.js';
import type { PlanService } from '../../plans/plans.service.js';
import type { LinkingService } from '../../linking/linking.service.js';
import type { TransactionEditService } from '../../transactions/edits.service.js';
import type { TransactionFeed } from '../../transactions/feed.service.js';
import type { ManualTransactionService } from '../../budget/manual-transactions.service.js';
import type { TransferQueries } from '../../transfers/transfer.queries.js';
import type { TransferService } from '../../transfers/transfer.service.js';
import type { ExpensesService } from '../../groups/expenses.service.js';
import type { GroupsService } from '../../groups/groups.service.js';
import type { RunEventWriter } from '../agent-event.store.js';
import type { ToolDefinition } from '../llm/provider.js';
import type { ToolName } from './tool-labels.js';

/** The services the agent (its tools, prompt and runner) may call: reads, proposals and journaling, never a posting. */
export interface ToolServices {
  accounts: Pick<AccountService, 'list' | 'get'>;
  ledger: Pick<LedgerService, 'entries' | 'statement'>;
  transfers: Pick<TransferService, 'propose'>;
  transferQueries: Pick<TransferQueries, 'snapshot'>;
  /** Reads only: freezing a card is the user's own freezeCard. */
  cards: Pick<CardService, 'list' | 'payments'>;
  /** Reads, plus the income and new jars the user asks for in so many words. */
  budget: Pick<BudgetService, 'overview' | 'currentMonth' | 'budget' | 'setMonthlyIncome' | 'createJar'>;
  insights: Pick<SpendingInsightsService, 'spendingInsights' | 'largestPayments'>;
  drafts: Pick<DraftsService, 'draftFor' | 'update' | 'finalize'>;
  templates: Pick<TemplatesService, 'active'>;
  preferences: Pick<PreferencesService, 'get' | 'update'>;
  chat: Pick<ChatService, 'messagesById' | 'historyTo' | 'appendAnswer'>;
  /** Reads only (REFLECTION). */
  journal: Pick<JournalService, 'list'>;
  goals: Pick<GoalService, 'list' | 'active' | 'get' | 'create' | 'update'>;
  /** Plans and items; moving and deleting items stay the user's. */
  plans: Pick<PlanService, 'calendar' | 'day' | 'week' | 'addItem' | 'updateItem'>;
  /** The one feed, every source; manual entries and categories the user asks for; linked banks (read, sync). */
  transactionFeed: Pick<TransactionFeed, 'page'>;
  manualTransactions: Pick<ManualTransactionService, 'record'>;
  transactionEdits: Pick<TransactionEditService, 'categorize'>;
  linking: Pick<LinkingService, 'list' | 'syncNow'>;
  /** The session's group (GROUP conversations): reads, and expenses proposed for a member to confirm. */
  groups: Pick<GroupsService, 'bySession' | 'members' | 'balances' | 'suggestions'>;
  groupExpenses: Pick<ExpensesService, 'page' | 'propose'>;
  /** The trail of the tools that read or propose money. */
  audit: Pick<AuditService, 'event' | 'recordAlone'>;
}

/** One step's services on its own EntityManager fork; app.ts supplies it. */
export type ServicesFor = (em: EntityManager) => ToolServices;

export interface ToolContext {
  services: ToolServices;
  auth: AuthInfo;
  session: ChatSession;
  writer: Pick<RunEventWriter, 'emit'>;
  deps: { clock: Clock };
}

export interface Tool {
  /** Its name keys its label in tool-labels.ts. */
  definition: ToolDefinition & { name: ToolName };
  /** Reads or proposes money: each call goes to the audit trail. */
  money?: boolean;
  execute(args: Record<string, unknown>, ctx: ToolContext): Promise<Record<string, unknown>>;
}
