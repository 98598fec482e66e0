import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppDeps, CoreDeps } from './deps.js';
import type { Flags } from './flags/flags.js';
import { eraseAccounts, holdsMoney } from './modules/accounts/account.erasure.js';
import { AccountService } from './modules/accounts/account.service.js';
import { eraseAgentRuns } from './modules/agent/agent.erasure.js';
import { AgentService } from './modules/agent/agent.service.js';
import { RunCanceller } from './modules/agent/run-canceller.js';
import { AuditService } from './modules/audit/audit.service.js';
import { AccountDeletionService } from './modules/portability/account-deletion.service.js';
import { AuthService } from './modules/auth/auth.service.js';
import { OperatorProvisioning } from './modules/auth/operator.js';
import type { ClientInfo } from './modules/auth/auth.types.js';
import { BudgetAlertService } from './modules/budget/budget-alerts.service.js';
import { BudgetDocumentService } from './modules/budget/budget-document.service.js';
import { ManualDocumentService } from './modules/budget/manual-document.service.js';
import { LinkingDocumentService } from './modules/linking/linking-document.service.js';
import { RulesDocumentService } from './modules/transactions/rules-document.service.js';
import { eraseBudget } from './modules/budget/budget.erasure.js';
import { BudgetService } from './modules/budget/budget.service.js';
import { FeeService } from './modules/budget/fee.service.js';
import { SpendingInsightsService } from './modules/budget/insights.service.js';
import { PaymentJarService } from './modules/budget/payment-jars.service.js';
import { TransactionJarService } from './modules/budget/transaction-jars.service.js';
import { CardDocumentService } from './modules/cards/card-document.service.js';
import { eraseCards } from './modules/cards/card.erasure.js';
import { CardService, cancelCardsOf } from './modules/cards/card.service.js';
import { ChatDocumentService } from './modules/chat/chat-document.service.js';
import { eraseChat } from './modules/chat/chat.erasure.js';
import { ChatService } from './modules/chat/chat.service.js';
import { DraftsDocumentService } from './modules/drafts/drafts-document.service.js';
import { eraseDrafts } from './modules/drafts/drafts.erasure.js';
import { DraftsService } from './modules/drafts/drafts.service.js';
import { JournalService } from './modules/drafts/journal.service.js';
import { PreferencesService } from './modules/preferences/preferences.service.js';
import { TemplatesService } from './modules/drafts/templates.service.js';
import { GoalService } from './modules/plans/goals.service.js';
import { ExpensesService } from './modules/groups/expenses.service.js';
import { GroupsService } from './modules/groups/groups.service.js';
import { groupSessionMembers } from './modules/groups/group-sessions.js';
import { announceDeparture, eraseGroups, groupsAtDeletion } from './modules/groups/groups.erasure.js';
import { SettlementsService } from './modules/groups/settlements.service.js';
import { PlansDocumentService } from './modules/plans/plans-document.service.js';
import { erasePlans } from './modules/plans/plans.erasure.js';
import { PlanService } from './modules/plans/plans.service.js';
import { PortabilityService, type DocumentSlices } from './modules/portability/portability.service.js';
import { LedgerService } from './modules/transfers/ledger.service.js';
import { TransferQueries } from './modules/transfers/transfer.queries.js';
import { TransferService } from './modules/transfers/transfer.service.js';
import { LinkingService } from './modules/linking/linking.service.js';
import { LinkSyncService } from './modules/linking/sync.service.js';
import { WebhookService } from './modules/linking/webhook.service.js';
import { TransactionEditService } from './modules/transactions/edits.service.js';
import { TransactionFeed } from './modules/transactions/feed.service.js';
import { ManualTransactionService } from './modules/budget/manual-transactions.service.js';
import { eraseLinking } from './modules/linking/linking.erasure.js';
import { eraseTransactions } from './modules/transactions/transactions.erasure.js';
import type { Eraser } from './shared/erasure.js';
import type { PlainSql } from './db/pg.js';
import { ormSql } from './db/orm-sql.js';

/** Account deletion's parts, one per module, in the order the foreign keys allow; a new module with personal rows adds its own. */
const PERSONAL_DATA: readonly Eraser[] = [
  eraseGroups,
  eraseAgentRuns,
  eraseDrafts,
  eraseChat,
  erasePlans,
  eraseTransactions,
  eraseLinking,
  eraseBudget,
  eraseCards,
  eraseAccounts,
];

/**
 * The domain services of one operation, sharing that operation's EntityManager fork (and
 * so its DataLoaders, which batch per operation and never serve another request's rows).
 * Each is built on first read and kept: a request pays only for the services it touches.
 * Everything but the agent's: seeding, scripts and the agent's own steps build these.
 */
export function createServices(deps: CoreDeps, em: EntityManager, client: ClientInfo | null = null) {
  let audit: AuditService | undefined;
  let accountDeletion: AccountDeletionService | undefined;
  let auth: AuthService | undefined;
  let provisioning: OperatorProvisioning | undefined;
  let accounts: AccountService | undefined;
  let transfers: TransferService | undefined;
  let transferQueries: TransferQueries | undefined;
  let cards: CardService | undefined;
  let budget: BudgetService | undefined;
  let paymentJars: PaymentJarService | undefined;
  let budgetAlerts: BudgetAlertService | undefined;
  let transactionJars: TransactionJarService | undefined;
  let transactionFeed: TransactionFeed | undefined;
  let transactionEdits: TransactionEditService | undefined;
  let manualTransactions: ManualTransactionService | undefined;
  let linking: LinkingService | undefined;
  let linkSync: LinkSyncService | undefined;
  let webhooks: WebhookService | undefined;
  let fees: FeeService | undefined;
  let insights: SpendingInsightsService | undefined;
  let ledger: LedgerService | undefined;
  let chat: ChatService | undefined;
  let drafts: DraftsService | undefined;
  let journal: JournalService | undefined;
  let templates: TemplatesService | undefined;
  let preferences: PreferencesService | undefined;
  let portability: PortabilityService | undefined;
  let goals: GoalService | undefined;
  let plans: PlanService | undefined;
  let groups: GroupsService | undefined;
  let groupExpenses: ExpensesService | undefined;
  let settlements: SettlementsService | undefined;
  const services = {
    get flags(): Flags {
      return deps.flags;
    },
    get audit(): AuditService {
      return (audit ??= new AuditService(em, deps, client));
    },
    get auth(): AuthService {
      return (auth ??= new AuthService(em, deps, new RunCanceller(em, deps), services.audit));
    },
    get provisioning(): OperatorProvisioning {
      return (provisioning ??= new OperatorProvisioning(em, deps, services.auth, services.audit));
    },
    get accountDeletion(): AccountDeletionService {
      return (accountDeletion ??= new AccountDeletionService(
        em,
        deps,
        new RunCanceller(em, deps),
        services.audit,
        services.auth,
        { holdsMoney },
        {
          check: groupsAtDeletion,
          announceLeft: (groupIds, member, at) => announceDeparture(em, deps.pubsub, groupIds, member, at),
        },
        PERSONAL_DATA,
      ));
    },
    get accounts(): AccountService {
      return (accounts ??= new AccountService(em, deps, cancelCardsOf));
    },
    get transfers(): TransferService {
      return (transfers ??= new TransferService(em, deps, services.accounts, services.audit));
    },
    get transferQueries(): TransferQueries {
      return (transferQueries ??= new TransferQueries(em, deps, services.accounts));
    },
    get cards(): CardService {
      return (cards ??= new CardService(em, deps, services.accounts, services.transfers, services.transferQueries, services.audit, (payment) =>
        services.budgetAlerts.afterApprovedPayment(payment),
      ));
    },
    get budget(): BudgetService {
      return (budget ??= new BudgetService(em, deps, services.preferences, services.transactionFeed));
    },
    get paymentJars(): PaymentJarService {
      return (paymentJars ??= new PaymentJarService(em, deps, services.budget));
    },
    get budgetAlerts(): BudgetAlertService {
      return (budgetAlerts ??= new BudgetAlertService(em, deps, services.budget, services.transactionFeed));
    },
    get transactionJars(): TransactionJarService {
      return (transactionJars ??= new TransactionJarService(services.budget, services.paymentJars, services.transactionFeed, services.transactionEdits));
    },
    get transactionFeed(): TransactionFeed {
      return (transactionFeed ??= new TransactionFeed(em, deps, services.preferences));
    },
    get transactionEdits(): TransactionEditService {
      return (transactionEdits ??= new TransactionEditService(deps, services.transactionFeed));
    },
    get manualTransactions(): ManualTransactionService {
      return (manualTransactions ??= new ManualTransactionService(em, deps, services.budget, services.transactionFeed, (tx, userId) =>
        services.budgetAlerts.afterManualSpending(tx, userId),
      ));
    },
    get linking(): LinkingService {
      return (linking ??= new LinkingService(em, deps, deps.linking, services.linkSync));
    },
    get linkSync(): LinkSyncService {
      return (linkSync ??= new LinkSyncService(em, deps, deps.linking));
    },
    get webhooks(): WebhookService {
      return (webhooks ??= new WebhookService(em, deps, services.linkSync));
    },
    get fees(): FeeService {
      return (fees ??= new FeeService(em, deps, services.budget, services.preferences));
    },
    get insights(): SpendingInsightsService {
      return (insights ??= new SpendingInsightsService(em, services.budget, services.transactionFeed));
    },
    get ledger(): LedgerService {
      return (ledger ??= new LedgerService(em, deps, services.accounts));
    },
    get chat(): ChatService {
      return (chat ??= new ChatService(em, deps, services.drafts, services.goals, groupSessionMembers(ormStatements(em), deps.pubsub)));
    },
    get drafts(): DraftsService {
      return (drafts ??= new DraftsService(em, deps, services.templates));
    },
    get journal(): JournalService {
      return (journal ??= new JournalService(em));
    },
    get templates(): TemplatesService {
      return (templates ??= new TemplatesService(em, deps));
    },
    get preferences(): PreferencesService {
      return (preferences ??= new PreferencesService(em, deps));
    },
    get portability(): PortabilityService {
      return (portability ??= new PortabilityService(em, deps, documentSlices(em.fork(), services), services.audit));
    },
    get goals(): GoalService {
      return (goals ??= new GoalService(em, deps, services.accounts));
    },
    get plans(): PlanService {
      return (plans ??= new PlanService(em, deps, services.goals, services.preferences));
    },
    get groups(): GroupsService {
      return (groups ??= new GroupsService(em, deps, services.chat));
    },
    get groupExpenses(): ExpensesService {
      return (groupExpenses ??= new ExpensesService(em, deps, services.groups));
    },
    get settlements(): SettlementsService {
      return (settlements ??= new SettlementsService(em, deps, services.groups, services.transfers, services.transferQueries));
    },
  };
  return services;
}

export type DomainServices = ReturnType<typeof createServices>;

/** Statements on the operation's connection (and its transaction, when in one). */
function ormStatements(em: EntityManager): PlainSql {
  return { execute: (sql, params) => ormSql(em, sql, params) };
}

/** Each module's service for its slice of the export document; reads on `em`, a fork of the operation's, as the export always did. */
function documentSlices(em: EntityManager, services: Pick<DomainServices, 'accounts' | 'preferences' | 'templates'>): DocumentSlices {
  const drafts = new DraftsDocumentService(em, services.preferences, services.templates);
  return {
    drafts,
    chat: new ChatDocumentService(em, drafts),
    cards: new CardDocumentService(em, services.accounts),
    plans: new PlansDocumentService(em, services.accounts),
    budget: new BudgetDocumentService(em),
    manual: new ManualDocumentService(em),
    rules: new RulesDocumentService(em),
    linked: new LinkingDocumentService(em),
  };
}

export type Services = DomainServices & { readonly agent: AgentService };

/** An operation's services (a GraphQL request's): the domain services and the agent's, which needs this process's runtime. */
export function createOperationServices(deps: AppDeps, em: EntityManager, client: ClientInfo | null = null): Services {
  const domain = createServices(deps, em, client);
  let agent: AgentService | undefined;
  // Defined, not spread: a spread would read (and so build) every service.
  return Object.defineProperty(domain, 'agent', {
    enumerable: true,
    get: () => (agent ??= new AgentService(em, deps, () => domain.chat, deps.agent, groupSessionMembers(deps.plainSql, deps.pubsub))),
  }) as Services;
}
