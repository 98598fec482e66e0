import { Account } from '../modules/accounts/account.entity.js';
import { AgentEventRecord } from '../modules/agent/agent-event.entity.js';
import { AgentRun } from '../modules/agent/agent-run.entity.js';
import { AuditEvent } from '../modules/audit/audit-event.entity.js';
import { Budget } from '../modules/budget/budget.entity.js';
import { BudgetAlert } from '../modules/budget/budget-alert.entity.js';
import { Fee } from '../modules/budget/fee.entity.js';
import { PaymentJarAssignment } from '../modules/budget/jar-assignment.entity.js';
import { Jar } from '../modules/budget/jar.entity.js';
import { Card } from '../modules/cards/card.entity.js';
import { CardPayment } from '../modules/cards/card-payment.entity.js';
import { AuthSession } from '../modules/auth/auth-session.entity.js';
import { RefreshToken } from '../modules/auth/refresh-token.entity.js';
import { User } from '../modules/auth/user.entity.js';
import { ChatSession } from '../modules/chat/chat-session.entity.js';
import { Message } from '../modules/chat/message.entity.js';
import { Draft } from '../modules/drafts/draft.entity.js';
import { JournalEntry } from '../modules/drafts/journal-entry.entity.js';
import { UserPreferences } from '../modules/preferences/user-preferences.entity.js';
import { UserTemplate } from '../modules/drafts/user-template.entity.js';
import { IdempotencyKey } from '../modules/transfers/idempotency-key.entity.js';
import { LedgerEntry } from '../modules/transfers/ledger-entry.entity.js';
import { Goal } from '../modules/plans/goal.entity.js';
import { DailyPlan, PlanItem, WeeklyPlan } from '../modules/plans/plan.entity.js';
import { Transfer } from '../modules/transfers/transfer.entity.js';
import { Group, GroupInvitation, GroupMember } from '../modules/groups/group.entity.js';
import { GroupExpense, GroupExpenseVersion } from '../modules/groups/group-expense.entity.js';
import { Settlement } from '../modules/groups/settlement.entity.js';
import { GroupExpenseProposal } from '../modules/groups/expense-proposal.entity.js';
import { LinkSession } from '../modules/linking/link-session.entity.js';
import { LinkedAccount } from '../modules/linking/linked-account.entity.js';
import { LinkedItem } from '../modules/linking/linked-item.entity.js';
import { LinkedTransaction } from '../modules/linking/linked-transaction.entity.js';
import { WebhookReceipt } from '../modules/linking/webhook-receipt.entity.js';
import { CategorizationRule } from '../modules/transactions/categorization-rule.entity.js';
import { ManualTransaction } from '../modules/transactions/manual-transaction.entity.js';
import { TransactionEdit } from '../modules/transactions/transaction-edit.entity.js';

/** Every entity, listed once: discovery by folder scan differs between tsc output and tsx. */
export const ENTITIES = [
  User,
  AuthSession,
  RefreshToken,
  Account,
  Transfer,
  LedgerEntry,
  IdempotencyKey,
  ChatSession,
  Message,
  Draft,
  JournalEntry,
  UserTemplate,
  UserPreferences,
  AgentRun,
  AgentEventRecord,
  Card,
  CardPayment,
  Budget,
  Jar,
  Fee,
  PaymentJarAssignment,
  BudgetAlert,
  Goal,
  WeeklyPlan,
  DailyPlan,
  PlanItem,
  AuditEvent,
  ManualTransaction,
  TransactionEdit,
  CategorizationRule,
  LinkedItem,
  LinkedAccount,
  LinkedTransaction,
  LinkSession,
  WebhookReceipt,
  Group,
  GroupMember,
  GroupInvitation,
  GroupExpense,
  GroupExpenseVersion,
  GroupExpenseProposal,
  Settlement,
];
