import { LockMode, type EntityManager, type Ref } from '@mikro-orm/postgresql';
import { User } from '../auth/user.entity.js';
import type { SectionDoc } from '../chat/chat-document.service.js';
import type { ChatSession } from '../chat/chat-session.entity.js';
import { Draft } from './draft.entity.js';
import type { FeedbackStyle } from '../preferences/preferences.types.js';
import { JournalEntry } from './journal-entry.entity.js';
import { UserPreferences } from '../preferences/user-preferences.entity.js';
import { UserTemplate } from './user-template.entity.js';
import type { PreferencesService } from '../preferences/preferences.service.js';
import type { TemplatesService } from './templates.service.js';

/*
 * The drafts module's part of the export document: preferences, templates, journal entries and
 * the drafts of journaling sessions. Ids never leave: an entry names its session by index.
 */

export type { SectionDoc };

export interface PreferencesDoc {
  purposeStatement: string | null;
  longTermGoals: string[];
  knownChallenges: string[];
  preferredFeedbackStyle: FeedbackStyle;
  personalGlossary: Array<{ term: string; definition: string }>;
  /** IANA zone; optional on import. */
  timeZone?: string;
}

export interface TemplateDoc {
  name: string;
  active: boolean;
  sections: Array<{ name: string; description: string; aliases: string[] }>;
}

export interface JournalEntryDoc {
  title: string;
  sections: SectionDoc[];
  createdAt: string;
  /** Index into chatSessions of the session it came from, or null. */
  chatSession: number | null;
}

/** Preferences, templates, journal entries and drafts as slices of the export document: read on the operation's EntityManager, restored in the import's transaction. */
export class DraftsDocumentService {
  constructor(
    private readonly em: EntityManager,
    private readonly preferences: Pick<PreferencesService, 'get'>,
    private readonly templates: Pick<TemplatesService, 'active'>,
  ) {}

  /** The stored preferences, or the defaults for a user who never changed them. */
  async exportPreferences(userId: string): Promise<PreferencesDoc> {
    const prefs = await this.preferences.get(userId);
    const { purposeStatement, longTermGoals, knownChallenges, preferredFeedbackStyle, personalGlossary, timeZone } = prefs;
    return { purposeStatement, longTermGoals, knownChallenges, preferredFeedbackStyle, personalGlossary, timeZone };
  }

  /** In the import's transaction: the document's preferences replace the user's. */
  async restorePreferences(em: EntityManager, userId: string, doc: PreferencesDoc, now: Date): Promise<void> {
    let prefs = await em.findOne(UserPreferences, { user: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!prefs) {
      prefs = new UserPreferences(em.getReference(User, userId, { wrapped: true }));
      prefs.createdAt = prefs.updatedAt = now;
      em.persist(prefs);
    }
    Object.assign(prefs, doc);
  }

  /** With the default template, made first for a user who has none (as `templates` shows it). */
  async exportTemplates(userId: string): Promise<TemplateDoc[]> {
    await this.templates.active(userId);
    const templates = await this.em.find(UserTemplate, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return templates.map((t) => ({ name: t.name, active: t.active, sections: t.sections }));
  }

  /** In the import's transaction: a template the user already has (same name and sections) is matched, not duplicated. */
  async restoreTemplates(em: EntityManager, userId: string, docs: TemplateDoc[], now: Date): Promise<void> {
    const user = em.getReference(User, userId, { wrapped: true });
    const existing = await em.find(UserTemplate, { user: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
    // By value, not by JSON text: jsonb hands the sections back with their keys reordered.
    const sameAs = (a: UserTemplate, b: TemplateDoc) => a.name === b.name && sectionsKey(a.sections) === sectionsKey(b.sections);
    let activate: UserTemplate | undefined;
    docs.forEach((t, i) => {
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
      await em.nativeUpdate(UserTemplate, { user: userId, active: true, id: { $ne: keep.id } }, { active: false });
      for (const t of existing) t.active = t === keep;
      keep.active = true;
    }
  }

  /** `sessionIndex`: a chat session id's place in the document's chatSessions. */
  async exportJournal(userId: string, sessionIndex: Map<string, number>): Promise<JournalEntryDoc[]> {
    const { em } = this;
    const entries = await em.find(JournalEntry, { user: userId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return entries.map((e) => ({
      title: e.title,
      sections: e.sections,
      createdAt: e.createdAt.toISOString(),
      chatSession: e.session ? (sessionIndex.get(e.session.id) ?? null) : null,
    }));
  }

  /** In the import's transaction; `sessions` are the document's chat sessions as restored. An entry the user has (same title and time) is not doubled. */
  async restoreJournal(em: EntityManager, userId: string, docs: JournalEntryDoc[], sessions: readonly Ref<ChatSession>[]): Promise<number> {
    const user = em.getReference(User, userId, { wrapped: true });
    const known = new Set((await em.find(JournalEntry, { user: userId })).map((e) => entryKey(e)));
    let created = 0;
    for (const e of docs) {
      if (known.has(entryKey({ title: e.title, createdAt: new Date(e.createdAt) }))) continue;
      created++;
      em.persist(new JournalEntry(user, e.chatSession === null ? null : sessions[e.chatSession]!, e.title, e.sections, new Date(e.createdAt)));
    }
    return created;
  }

  /** The drafts of these sessions, by session id. */
  async draftsOf(sessionIds: string[]): Promise<Map<string, SectionDoc[]>> {
    const { em } = this;
    const drafts = await em.find(Draft, { session: { $in: sessionIds } });
    return new Map(drafts.map((d) => [d.session.id, d.sections]));
  }

  /** A restored journaling session's draft, in the import's transaction. */
  restoreDraft(em: EntityManager, session: Ref<ChatSession>, sections: SectionDoc[], now: Date): void {
    const draft = new Draft(session);
    draft.sections = sections;
    draft.createdAt = draft.updatedAt = now;
    em.persist(draft);
  }
}

function entryKey(e: { title: string | null; createdAt: Date }): string {
  return JSON.stringify([e.title, e.createdAt.getTime()]);
}

function sectionsKey(sections: ReadonlyArray<{ name: string; description?: string; aliases?: readonly string[] }>): string {
  return JSON.stringify(sections.map((s) => [s.name, s.description ?? '', s.aliases ?? []]));
}
