import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { Account, AccountStatus } from '../accounts/account.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import { AuditAction, SUCCEEDED } from '../audit/audit.types.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { Card, CardStatus } from '../cards/card.entity.js';
import { ChatSession, ConversationType } from '../chat/chat-session.entity.js';
import { Message } from '../chat/message.entity.js';
import { Draft } from '../drafts/draft.entity.js';
import { JournalEntry } from '../drafts/journal-entry.entity.js';
import type { PreferencesService } from '../drafts/preferences.service.js';
import type { TemplatesService } from '../drafts/templates.service.js';
import { UserPreferences } from '../drafts/user-preferences.entity.js';
import { UserTemplate } from '../drafts/user-template.entity.js';
import { EXPORT_FORMAT, EXPORT_VERSION, parseExportDocument, type ExportDocument } from './export-document.js';
import { Goal } from '../plans/goal.entity.js';
import { exportPlans, restorePlansInto } from './plans-document.js';
import type { ImportSummary } from './portability.types.js';
import { exportBudget, parseBudgetDoc, restoreBudgetInto, type BudgetDoc } from './budget.portability.js';
import { ormSql } from '../../db/orm-sql.js';

/**
 * Export and import span the chat and drafts modules' tables: reading and writing them
 * here, in one transaction, is what makes an import all-or-nothing.
 */
export class PortabilityService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly templates: TemplatesService,
    private readonly preferences: PreferencesService,
    private readonly audit: Pick<AuditService, 'event' | 'record' | 'recordAlone'>,
  ) {}

  async export(auth: AuthInfo): Promise<ExportDocument & { budget: BudgetDoc | null }> {
    const userId = auth.userId;
    await this.audit.recordAlone(this.audit.event(AuditAction.DATA_EXPORTED, SUCCEEDED, { userId, target: `user:${userId}` }));
    await this.templates.active(userId);
    const em = this.em.fork();
    const [prefs, templates, sessions, entries, cards, budget, planning] = await Promise.all([
      this.preferences.get(userId),
      em.find(UserTemplate, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      em.find(ChatSession, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      em.find(JournalEntry, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      em.find(Card, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], populate: ['account'] }),
      exportBudget(em, userId),
      exportPlans(em, userId),
    ]);
    const ids = sessions.map((s) => s.id);
    const [messages, drafts] = await Promise.all([
      em.find(Message, { session: { $in: ids } }, { orderBy: [{ session: 'asc' }, { seq: 'asc' }] }),
      em.find(Draft, { session: { $in: ids } }),
    ]);
    const index = new Map(ids.map((id, i) => [id, i]));
    const messagesOf = new Map<string, Message[]>();
    for (const m of messages) messagesOf.set(m.session.id, [...(messagesOf.get(m.session.id) ?? []), m]);
    const draftOf = new Map(drafts.map((d) => [d.session.id, d]));

    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: this.deps.clock.now().toISOString(),
      preferences: {
        purposeStatement: prefs.purposeStatement,
        longTermGoals: prefs.longTermGoals,
        knownChallenges: prefs.knownChallenges,
        preferredFeedbackStyle: prefs.preferredFeedbackStyle,
        personalGlossary: prefs.personalGlossary,
        timeZone: prefs.timeZone,
      },
      templates: templates.map((t) => ({ name: t.name, active: t.active, sections: t.sections })),
      chatSessions: sessions.map((s) => {
        const draft = draftOf.get(s.id);
        return {
          title: s.title,
          conversationType: s.conversationType,
          archived: s.archived,
          metadata: s.metadata,
          createdAt: s.createdAt.toISOString(),
          updatedAt: s.updatedAt.toISOString(),
          messages: (messagesOf.get(s.id) ?? []).map((m) => ({ role: m.role, content: m.content, createdAt: m.createdAt.toISOString() })),
          draft: s.conversationType === ConversationType.JOURNALING ? { sections: draft?.sections ?? [] } : null,
          context:
            s.contextGoal || s.contextPlanDate
              ? { goal: s.contextGoal ? (planning.goalIndex.get(s.contextGoal.id) ?? null) : null, planDate: s.contextPlanDate }
              : null,
        };
      }),
      journalEntries: entries.map((e) => ({
        title: e.title,
        sections: e.sections,
        createdAt: e.createdAt.toISOString(),
        chatSession: e.session ? (index.get(e.session.id) ?? null) : null,
      })),
      cards: cards.map((c) => ({
        account: { number: c.account.$.number, name: c.account.$.name, currency: c.account.$.currency },
        kind: c.kind,
        label: c.label,
        last4: c.last4,
        expiryMonth: c.expiryMonth,
        expiryYear: c.expiryYear,
        status: c.status,
        monthlyLimitMinor: c.monthlyLimit?.toString() ?? null,
        createdAt: c.createdAt.toISOString(),
      })),
      budget,
      goals: planning.goals,
      plans: planning.plans,
    };
  }

  /** Adds the document's data to the caller's account with new ids, all or nothing. */
  async import(auth: AuthInfo, data: unknown): Promise<ImportSummary> {
    const doc = parseExportDocument(data);
    const budget = parseBudgetDoc((data as { budget?: unknown }).budget);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.importOnce(auth, doc, budget);
      } catch (error) {
        // Imports queue on the user row; only a default template made meanwhile outside it can clash, once.
        if (!(error instanceof UniqueConstraintViolationException) || attempt >= 2) throw error;
      }
    }
  }

  private importOnce(auth: AuthInfo, doc: ExportDocument, budget: BudgetDoc | null): Promise<ImportSummary> {
    const now = this.deps.clock.now();
    return this.em.fork().transactional(async (em) => {
      // One import at a time per user: parallel ones would each find no preferences row or
      // template to match, and collide on the unique indexes. NO KEY UPDATE: other writes
      // referencing the user (foreign key checks) do not wait for it.
      await ormSql(em, `select 1 from "app_user" where "id" = ? for no key update`, [auth.userId]);
      await this.audit.record(em, this.audit.event(AuditAction.DATA_IMPORTED, SUCCEEDED, { userId: auth.userId, target: `user:${auth.userId}` }));
      const user = em.getReference(User, auth.userId, { wrapped: true });

      let prefs = await em.findOne(UserPreferences, { user: auth.userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!prefs) {
        prefs = new UserPreferences(user);
        prefs.createdAt = prefs.updatedAt = now;
        em.persist(prefs);
      }
      Object.assign(prefs, doc.preferences);

      // A template the user already has (same name and sections) is matched, not duplicated.
      const existing = await em.find(UserTemplate, { user: auth.userId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
      // By value, not by JSON text: jsonb hands the sections back with their keys reordered.
      const sameAs = (a: UserTemplate, b: ExportDocument['templates'][number]) => a.name === b.name && sectionsKey(a.sections) === sectionsKey(b.sections);
      let activate: UserTemplate | undefined;
      doc.templates.forEach((t, i) => {
        let template = existing.find((e) => sameAs(e, t));
        if (!template) {
          template = new UserTemplate(user, t.name, t.sections);
          template.createdAt = template.updatedAt = new Date(now.getTime() + i);
          em.persist(template);
        }
        if (t.active) activate = template;
      });
      if (activate) {
        // Not the one to activate: a matched, already active template must stay active in the database too.
        const keep = activate;
        await em.nativeUpdate(UserTemplate, { user: auth.userId, active: true, id: { $ne: keep.id } }, { active: false });
        for (const t of existing) t.active = t === keep;
        keep.active = true;
      }

      const planning = await restorePlansInto(em, auth.userId, doc.goals, doc.plans, now);
      // A session or entry the caller already has (an earlier import of the same export) is matched, not doubled.
      const knownSessions = new Map((await em.find(ChatSession, { user: auth.userId })).map((s) => [sessionKey(s), s]));
      const knownEntries = new Set((await em.find(JournalEntry, { user: auth.userId })).map((e) => entryKey(e)));
      let messageCount = 0;
      let sessionCount = 0;
      const sessions = doc.chatSessions.map((s) => {
        const known = knownSessions.get(sessionKey({ ...s, createdAt: new Date(s.createdAt) }));
        if (known) return known;
        sessionCount++;
        const session = new ChatSession(user, s.conversationType, s.title, s.metadata);
        session.contextGoal = s.context?.goal == null ? null : em.getReference(Goal, planning.goals[s.context.goal]!.id, { wrapped: true });
        session.contextPlanDate = s.context?.planDate ?? null;
        session.archived = s.archived;
        session.createdAt = new Date(s.createdAt);
        session.updatedAt = new Date(s.updatedAt);
        session.messageCount = s.messages.length;
        em.persist(session);
        const ref = em.getReference(ChatSession, session.id, { wrapped: true });
        s.messages.forEach((m, i) => {
          const message = new Message(ref, i + 1, m.role, m.content);
          message.createdAt = message.updatedAt = new Date(m.createdAt);
          em.persist(message);
        });
        messageCount += s.messages.length;
        if (s.conversationType === ConversationType.JOURNALING) {
          const draft = new Draft(ref);
          draft.sections = s.draft?.sections ?? [];
          draft.createdAt = draft.updatedAt = now;
          em.persist(draft);
        }
        return session;
      });

      let entryCount = 0;
      for (const e of doc.journalEntries) {
        if (knownEntries.has(entryKey({ title: e.title, createdAt: new Date(e.createdAt) }))) continue;
        entryCount++;
        const session = e.chatSession === null ? null : em.getReference(ChatSession, sessions[e.chatSession]!.id, { wrapped: true });
        em.persist(new JournalEntry(user, session, e.title, e.sections, new Date(e.createdAt)));
      }
      const cards = await restoreCardsInto(em, auth.userId, doc.cards, now);
      const restored = await restoreBudgetInto(em, auth.userId, budget, now);
      return {
        ...restored,
        cards,
        goals: planning.created,
        planItems: planning.planItems,
        templates: doc.templates.length,
        journalEntries: entryCount,
        chatSessions: sessionCount,
        messages: messageCount,
      };
    });
  }
}

/** Lives here with the rest of the import's transaction; the card's number was never known, so its last four come back as they were. */
async function restoreCardsInto(em: EntityManager, userId: string, docs: ExportDocument['cards'], now: Date): Promise<number> {
  if (docs.length === 0) return 0;
  const accounts = await em.find(Account, { user: userId, system: false }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const existing = await em.find(Card, { user: userId });
  let restored = 0;
  for (const d of docs) {
    const account =
      accounts.find((a) => a.number === d.account.number) ??
      accounts.find((a) => a.status === AccountStatus.OPEN && a.name === d.account.name && a.currency === d.account.currency);
    if (!account || account.currency !== d.account.currency) continue;
    const same = (c: Card) =>
      c.accountId === account.id && c.last4 === d.last4 && c.kind === d.kind && c.expiryMonth === d.expiryMonth && c.expiryYear === d.expiryYear;
    if (existing.some(same)) continue;
    const card = Object.assign(new Card(), {
      account: em.getReference(Account, account.id, { wrapped: true }),
      user: em.getReference(User, userId, { wrapped: true }),
      currency: account.currency,
      kind: d.kind,
      label: d.label,
      last4: d.last4,
      expiryMonth: d.expiryMonth,
      expiryYear: d.expiryYear,
      status: account.status === AccountStatus.OPEN ? d.status : CardStatus.CANCELLED,
      monthlyLimit: d.monthlyLimitMinor === null ? null : BigInt(d.monthlyLimitMinor),
      createdAt: new Date(d.createdAt),
      updatedAt: now,
    });
    em.persist(card);
    existing.push(card);
    restored++;
  }
  return restored;
}

function sessionKey(s: { conversationType: string; title: string | null; createdAt: Date }): string {
  return JSON.stringify([s.conversationType, s.title, s.createdAt.getTime()]);
}

function entryKey(e: { title: string | null; createdAt: Date }): string {
  return JSON.stringify([e.title, e.createdAt.getTime()]);
}

function sectionsKey(sections: ReadonlyArray<{ name: string; description?: string; aliases?: readonly string[] }>): string {
  return JSON.stringify(sections.map((s) => [s.name, s.description ?? '', s.aliases ?? []]));
}
