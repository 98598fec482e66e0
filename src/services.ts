import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppDeps, CoreDeps } from './deps.js';
import type { Flags } from './flags/flags.js';
import { AccountService } from './modules/accounts/account.service.js';
import { AgentService } from './modules/agent/agent.service.js';
import { RunCanceller } from './modules/agent/run-canceller.js';
import { AuditService } from './modules/audit/audit.service.js';
import { AccountDeletionService } from './modules/portability/account-deletion.service.js';
import { AuthService } from './modules/auth/auth.service.js';
import type { ClientInfo } from './modules/auth/auth.types.js';
import { BudgetService } from './modules/budget/budget.service.js';
import { FeeService } from './modules/budget/fee.service.js';
import { SpendingInsightsService } from './modules/budget/insights.service.js';
import { CardService, cancelCardsOf } from './modules/cards/card.service.js';
import { ChatService } from './modules/chat/chat.service.js';
import { DraftsService } from './modules/drafts/drafts.service.js';
import { JournalService } from './modules/drafts/journal.service.js';
import { PreferencesService } from './modules/preferences/preferences.service.js';
import { TemplatesService } from './modules/drafts/templates.service.js';
import { GoalService } from './modules/plans/goals.service.js';
import { ExpensesService } from './modules/groups/expenses.service.js';
import { GroupsService } from './modules/groups/groups.service.js';
import { SettlementsService } from './modules/groups/settlements.service.js';
import { PlanService } from './modules/plans/plans.service.js';
import { PortabilityService } from './modules/portability/portability.service.js';
import { LedgerService } from './modules/transfers/ledger.service.js';
import { TransferQueries } from './modules/transfers/transfer.queries.js';
import { TransferService } from './modules/transfers/transfer.service.js';

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
  let accounts: AccountService | undefined;
  let transfers: TransferService | undefined;
  let transferQueries: TransferQueries | undefined;
  let cards: CardService | undefined;
  let budget: BudgetService | undefined;
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
    get accountDeletion(): AccountDeletionService {
      return (accountDeletion ??= new AccountDeletionService(em, deps, new RunCanceller(em, deps), services.audit, services.auth));
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
        services.budget.afterApprovedPayment(payment),
      ));
    },
    get budget(): BudgetService {
      return (budget ??= new BudgetService(em, deps, services.preferences));
    },
    get fees(): FeeService {
      return (fees ??= new FeeService(em, deps, services.budget, services.preferences));
    },
    get insights(): SpendingInsightsService {
      return (insights ??= new SpendingInsightsService(em, services.budget));
    },
    get ledger(): LedgerService {
      return (ledger ??= new LedgerService(em, deps, services.accounts));
    },
    get chat(): ChatService {
      return (chat ??= new ChatService(em, deps, services.drafts, services.goals));
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
      return (portability ??= new PortabilityService(em, deps, services.templates, services.preferences, services.audit));
    },
    get goals(): GoalService {
      return (goals ??= new GoalService(em, deps, services.accounts));
    },
    get plans(): PlanService {
      return (plans ??= new PlanService(em, deps, services.goals, services.preferences));
    },
    get groups(): GroupsService {
      return (groups ??= new GroupsService(em, deps));
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

export type Services = DomainServices & { readonly agent: AgentService };

/** An operation's services (a GraphQL request's): the domain services and the agent's, which needs this process's runtime. */
export function createOperationServices(deps: AppDeps, em: EntityManager, client: ClientInfo | null = null): Services {
  const domain = createServices(deps, em, client);
  let agent: AgentService | undefined;
  // Defined, not spread: a spread would read (and so build) every service.
  return Object.defineProperty(domain, 'agent', {
    enumerable: true,
    get: () => (agent ??= new AgentService(em, deps, () => domain.chat, deps.agent)),
  }) as Services;
}
