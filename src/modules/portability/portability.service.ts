import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import type { AuditService } from '../audit/audit.service.js';
import { AuditAction, SUCCEEDED } from '../audit/audit.types.js';
import type { AuthInfo } from '../auth/auth.types.js';
import type { BudgetDocumentService } from '../budget/budget-document.service.js';
import type { ManualDocumentService } from '../budget/manual-document.service.js';
import type { LinkingDocumentService } from '../linking/linking-document.service.js';
import type { RulesDocumentService } from '../transactions/rules-document.service.js';
import type { CardDocumentService } from '../cards/card-document.service.js';
import type { ChatDocumentService } from '../chat/chat-document.service.js';
import type { DraftsDocumentService } from '../drafts/drafts-document.service.js';
import type { PlansDocumentService } from '../plans/plans-document.service.js';
import { EXPORT_FORMAT, EXPORT_VERSION, parseExportDocument, type ExportDocument } from './export-document.js';
import type { ImportSummary } from './portability.types.js';
import { ormSql } from '../../db/orm-sql.js';

/** The modules' services for their slices of the document. */
export interface DocumentSlices {
  drafts: DraftsDocumentService;
  chat: ChatDocumentService;
  cards: CardDocumentService;
  plans: PlansDocumentService;
  budget: BudgetDocumentService;
  manual: ManualDocumentService;
  rules: RulesDocumentService;
  linked: LinkingDocumentService;
}

/**
 * Export and import: each module reads and restores its own slice through its document service;
 * this service puts the slices together and runs the restores in one transaction, which is what
 * makes an import all-or-nothing.
 */
export class PortabilityService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly slices: DocumentSlices,
    private readonly audit: Pick<AuditService, 'event' | 'record' | 'recordAlone'>,
  ) {}

  async export(auth: AuthInfo): Promise<ExportDocument> {
    const userId = auth.userId;
    await this.audit.recordAlone(this.audit.event(AuditAction.DATA_EXPORTED, SUCCEEDED, { userId, target: `user:${userId}` }));
    const { drafts, chat: chatSlice, cards: cardSlice, plans, budget: budgetSlice, manual: manualSlice, rules: rulesSlice, linked } = this.slices;
    const [preferences, templates, cards, budget, planning, manual, rules, linkedAccounts] = await Promise.all([
      drafts.exportPreferences(userId),
      drafts.exportTemplates(userId),
      cardSlice.exportCards(userId),
      budgetSlice.exportBudget(userId),
      plans.exportPlans(userId),
      manualSlice.exportManual(userId),
      rulesSlice.exportRules(userId),
      linked.exportLinked(userId),
    ]);
    const chat = await chatSlice.exportChatSessions(userId, planning.goalIndex);
    const journalEntries = await drafts.exportJournal(userId, new Map(chat.ids.map((id, i) => [id, i])));
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: this.deps.clock.now().toISOString(),
      preferences,
      templates,
      chatSessions: chat.sessions,
      journalEntries,
      cards,
      budget,
      goals: planning.goals,
      plans: planning.plans,
      transactions: { manual, rules, linkedAccounts },
    };
  }

  /** Adds the document's data to the caller's account with new ids, all or nothing. */
  async import(auth: AuthInfo, data: unknown): Promise<ImportSummary> {
    const doc = await parseExportDocument(data);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.importOnce(auth, doc);
      } catch (error) {
        // Imports queue on the user row; only a default template made meanwhile outside it can clash, once.
        if (!(error instanceof UniqueConstraintViolationException) || attempt >= 2) throw error;
      }
    }
  }

  private importOnce(auth: AuthInfo, doc: ExportDocument): Promise<ImportSummary> {
    const now = this.deps.clock.now();
    const userId = auth.userId;
    return this.em.fork().transactional(async (em) => {
      // One import at a time per user: parallel ones would each find no preferences row or
      // template to match, and collide on the unique indexes. NO KEY UPDATE: other writes
      // referencing the user (foreign key checks) do not wait for it.
      await ormSql(em, `select 1 from "app_user" where "id" = ? for no key update`, [userId]);
      await this.audit.record(em, this.audit.event(AuditAction.DATA_IMPORTED, SUCCEEDED, { userId, target: `user:${userId}` }));
      const { drafts, chat: chatSlice, cards: cardSlice, plans, budget } = this.slices;
      await drafts.restorePreferences(em, userId, doc.preferences, now);
      await drafts.restoreTemplates(em, userId, doc.templates, now);
      const planning = await plans.restorePlansInto(em, userId, doc.goals, doc.plans, now);
      const chat = await chatSlice.restoreChatSessions(em, userId, doc.chatSessions, planning.goals, now);
      const journalEntries = await drafts.restoreJournal(em, userId, doc.journalEntries, chat.sessions);
      const cards = await cardSlice.restoreCards(em, userId, doc.cards, now);
      const restored = await budget.restoreBudgetInto(em, userId, doc.budget, now);
      // After the budget: manual transactions take its currency and its jars by name, as do linked transactions' moves.
      await this.slices.manual.restoreManualInto(em, userId, doc.transactions.manual, now);
      await this.slices.rules.restoreRulesInto(em, userId, doc.transactions.rules, now);
      await this.slices.linked.restoreLinkedInto(em, userId, doc.transactions.linkedAccounts, now);
      return {
        ...restored,
        cards,
        goals: planning.created,
        planItems: planning.planItems,
        templates: doc.templates.length,
        journalEntries,
        chatSessions: chat.created,
        messages: chat.messages,
      };
    });
  }
}
