import DataLoader from 'dataloader';
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { ChatSession, ConversationType } from '../chat/chat-session.entity.js';
import { Draft } from './draft.entity.js';
import type { UpdateDraftInput } from './drafts.inputs.js';
import { JournalEntry } from './journal-entry.entity.js';
import { applySections, entryTitle } from './sections.rules.js';
import type { TemplatesService } from './templates.service.js';

export class DraftsService {
  /** Per operation: the drafts of every session a response lists, in one query. */
  private readonly draftLoader: DataLoader<string, Draft | null>;

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly templates: TemplatesService,
  ) {
    this.draftLoader = new DataLoader(async (sessionIds) => {
      const drafts = await this.em.find(Draft, { session: { $in: [...sessionIds] } });
      const bySession = new Map(drafts.map((d) => [d.session.id, d]));
      return sessionIds.map((id) => bySession.get(id) ?? null);
    });
  }

  /** Called inside the transaction that creates a JOURNALING session. */
  startDraft(em: EntityManager, session: Pick<ChatSession, 'id'>, at = this.deps.clock.now()): Draft {
    const draft = new Draft(em.getReference(ChatSession, session.id, { wrapped: true }));
    draft.createdAt = draft.updatedAt = at;
    em.persist(draft);
    return draft;
  }

  /** The session's current draft: JOURNALING sessions only. */
  async draftFor(session: ChatSession): Promise<Draft | null> {
    if (session.conversationType !== ConversationType.JOURNALING) return null;
    return this.draftLoader.load(session.id);
  }

  async update(auth: AuthInfo, input: UpdateDraftInput): Promise<Draft> {
    const template = await this.templates.active(auth.userId);
    return this.withLockedDraft(auth, input.sessionId, async (draft) => {
      const { sections, problems } = applySections(template.sections, draft.sections, input.sections, input.mode);
      if (problems.length) throw badUserInput(problems);
      draft.sections = sections;
      return draft;
    });
  }

  /** Saves the draft as a journal entry and empties it, so the session can produce another. */
  async finalize(auth: AuthInfo, sessionId: string): Promise<JournalEntry> {
    return this.withLockedDraft(auth, sessionId, async (draft, em) => {
      if (draft.isEmpty) throw new DomainError('DRAFT_EMPTY', 'The draft is empty: add to it before saving it as a journal entry');
      const now = this.deps.clock.now();
      const entry = new JournalEntry(
        em.getReference(User, auth.userId, { wrapped: true }),
        em.getReference(ChatSession, sessionId, { wrapped: true }),
        entryTitle(draft.sections, now),
        draft.sections,
        now,
      );
      em.persist(entry);
      draft.sections = [];
      return entry;
    });
  }

  async discard(auth: AuthInfo, sessionId: string): Promise<Draft> {
    return this.withLockedDraft(auth, sessionId, async (draft) => {
      draft.sections = [];
      return draft;
    });
  }

  /**
   * Runs `work` on the session's draft with its row locked (FOR UPDATE), so concurrent
   * updates apply one after another and none is lost.
   */
  private async withLockedDraft<T>(auth: AuthInfo, sessionId: string, work: (draft: Draft, em: EntityManager) => Promise<T>): Promise<T> {
    if (!isUuid(sessionId)) throw notFound('Chat session');
    return this.em.transactional(async (em) => {
      const session = await em.findOne(ChatSession, { id: sessionId, user: auth.userId }, { fields: ['id', 'conversationType'] });
      if (!session) throw notFound('Chat session');
      if (session.conversationType !== ConversationType.JOURNALING) {
        throw badUserInput([{ field: 'sessionId', message: 'is not a JOURNALING session: only those have a draft' }]);
      }
      let draft = await em.findOne(Draft, { session: sessionId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (!draft) {
        // Only sessions that somehow lost theirs: the unique session index keeps it to one.
        draft = this.startDraft(em, session);
        await em.flush();
      }
      return work(draft, em);
    });
  }
}
