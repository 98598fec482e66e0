import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppDeps, CoreDeps } from './deps.js';
import { AccountService } from './modules/accounts/account.service.js';
import { AgentService } from './modules/agent/agent.service.js';
import { RunCanceller } from './modules/agent/run-canceller.js';
import { AuthService } from './modules/auth/auth.service.js';
import { BudgetService } from './modules/budget/budget.service.js';
import { FeeService } from './modules/budget/fee.service.js';
import { SpendingInsightsService } from './modules/budget/insights.service.js';
import { CardService, cancelCardsOf } from './modules/cards/card.service.js';
import { ChatService } from './modules/chat/chat.service.js';
import { DraftsService } from './modules/drafts/drafts.service.js';
import { JournalService } from './modules/drafts/journal.service.js';
import { PreferencesService } from './modules/drafts/preferences.service.js';
import { TemplatesService } from './modules/drafts/templates.service.js';
import { GoalService } from './modules/plans/goals.service.js';
import { PlanService } from './modules/plans/plans.service.js';
import { PortabilityService } from './modules/portability/portability.service.js';
import { LedgerService } from './modules/ledger/ledger.service.js';
import { TransferService } from './modules/transfers/transfer.service.js';

/**
 * The domain services of one operation, sharing that operation's EntityManager fork (and
 * so its DataLoaders, which batch per operation and never serve another request's rows).
 * Everything but the agent's: seeding, scripts and the agent's own steps build these.
 */
export function createServices(deps: CoreDeps, em: EntityManager) {
  const templates = new TemplatesService(em, deps);
  const preferences = new PreferencesService(em, deps);
  const drafts = new DraftsService(em, deps, templates);
  const accounts = new AccountService(em, deps, cancelCardsOf);
  const transfers = new TransferService(em, deps, accounts);
  const goals = new GoalService(em, deps, accounts);
  const chat = new ChatService(em, deps, drafts, goals);
  const budget = new BudgetService(em, deps, preferences);
  return {
    auth: authServiceFor(deps, em),
    accounts,
    transfers,
    cards: new CardService(em, deps, accounts, transfers, (payment) => budget.afterApprovedPayment(payment)),
    budget,
    fees: new FeeService(em, deps, budget, preferences),
    insights: new SpendingInsightsService(em, budget),
    ledger: new LedgerService(em, deps, accounts),
    chat,
    drafts,
    journal: new JournalService(em),
    templates,
    preferences,
    portability: new PortabilityService(em, deps, templates, preferences),
    goals,
    plans: new PlanService(em, deps, goals, preferences),
  };
}

export type DomainServices = ReturnType<typeof createServices>;

/** An operation's services (a GraphQL request's): the domain services and the agent's, which needs this process's runtime. */
export function createOperationServices(deps: AppDeps, em: EntityManager) {
  const domain = createServices(deps, em);
  return { ...domain, agent: new AgentService(em, deps, domain.chat, deps.agent) };
}

export type Services = ReturnType<typeof createOperationServices>;

/** The auth service alone, for callers that need nothing else (the sockets' session checks). */
export function authServiceFor(deps: CoreDeps, em: EntityManager): AuthService {
  return new AuthService(em, deps, new RunCanceller(em, deps));
}
