import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import type { AuditService } from '../audit/audit.service.js';
import { AuditAction, SUCCEEDED } from '../audit/audit.types.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { exportBudget, restoreBudgetInto } from '../budget/budget.document.js';
import { exportCards, restoreCards } from '../cards/card.document.js';
import { exportChatSessions, restoreChatSessions } from '../chat/chat.document.js';
import { exportJournal, exportTemplates, preferencesDoc, restoreJournal, restorePreferences, restoreTemplates } from '../drafts/drafts.document.js';
import type { PreferencesService } from '../drafts/preferences.service.js';
import type { TemplatesService } from '../drafts/templates.service.js';
import { exportPlans, restorePlansInto } from '../plans/plans.document.js';
import { EXPORT_FORMAT, EXPORT_VERSION, parseExportDocument, type ExportDocument } from './export-document.js';
import type { ImportSummary } from './portability.types.js';

/**
 * Export and import: each module reads and restores its own slice (its *.document.ts); this
 * service puts the slices together and runs the restores in one transaction, which is what
 * makes an import all-or-nothing.
 */
export class PortabilityService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly templates: TemplatesService,
    private readonly preferences: PreferencesService,
    private readonly audit: Pick<AuditService, 'event' | 'record' | 'recordAlone'>,
  ) {}

  async export(auth: AuthInfo): Promise<ExportDocument> {
    const userId = auth.userId;
    await this.audit.recordAlone(this.audit.event(AuditAction.DATA_EXPORTED, SUCCEEDED, { userId, target: `user:${userId}` }));
    await this.templates.active(userId);
    const em = this.em.fork();
    const [prefs, templates, cards, budget, planning] = await Promise.all([
      this.preferences.get(userId),
      exportTemplates(em, userId),
      exportCards(em, userId),
      exportBudget(em, userId),
      exportPlans(em, userId),
    ]);
    const chat = await exportChatSessions(em, userId, planning.goalIndex);
    const journalEntries = await exportJournal(em, userId, new Map(chat.ids.map((id, i) => [id, i])));
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: this.deps.clock.now().toISOString(),
      preferences: preferencesDoc(prefs),
      templates,
      chatSessions: chat.sessions,
      journalEntries,
      cards,
      budget,
      goals: planning.goals,
      plans: planning.plans,
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
      await em.execute(`select 1 from "app_user" where "id" = ? for no key update`, [userId]);
      await this.audit.record(em, this.audit.event(AuditAction.DATA_IMPORTED, SUCCEEDED, { userId, target: `user:${userId}` }));
      await restorePreferences(em, userId, doc.preferences, now);
      await restoreTemplates(em, userId, doc.templates, now);
      const planning = await restorePlansInto(em, userId, doc.goals, doc.plans, now);
      const chat = await restoreChatSessions(em, userId, doc.chatSessions, planning.goals, now);
      const journalEntries = await restoreJournal(em, userId, doc.journalEntries, chat.sessions);
      const cards = await restoreCards(em, userId, doc.cards, now);
      const restored = await restoreBudgetInto(em, userId, doc.budget, now);
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
