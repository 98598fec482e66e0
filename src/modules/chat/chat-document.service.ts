import type { EntityManager, Ref } from '@mikro-orm/postgresql';
import { ormSql } from '../../db/orm-sql.js';
import { User } from '../auth/user.entity.js';
import { Goal } from '../plans/goal.entity.js';
import { ChatSession, ConversationType } from './chat-session.entity.js';
import { Message, type MessageRole } from './message.entity.js';

export interface SectionDoc {
  name: string;
  content: string;
}

/** The drafts of journaling sessions, which the drafts module (above chat) keeps: services.ts hands it in. */
export interface SessionDrafts {
  draftsOf(sessionIds: string[]): Promise<Map<string, SectionDoc[]>>;
  restoreDraft(em: EntityManager, session: Ref<ChatSession>, sections: SectionDoc[], now: Date): void;
}

/** A chat session in the export document, with its messages and (JOURNALING only) its draft. */
export interface ChatSessionDoc {
  title: string | null;
  conversationType: ConversationType;
  archived: boolean;
  metadata: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  /** The whole tree, oldest first; `parent` indexes an earlier message (optional on import: the one before). */
  messages: Array<{ role: MessageRole; content: string; createdAt: string; parent?: number | null }>;
  /** The active branch's last message, an index into messages; optional on import (the last one). */
  activeLeaf?: number | null;
  /** JOURNALING sessions only. */
  draft: { sections: SectionDoc[] } | null;
  /** What the session is about: `goal` indexes into goals. Optional on import. */
  context?: { goal: number | null; planDate: string | null } | null;
}

/** The chat's slice of the export document: read on the operation's EntityManager, restored in the import's transaction. */
export class ChatDocumentService {
  constructor(
    private readonly em: EntityManager,
    private readonly drafts: SessionDrafts,
  ) {}

  /** `goalIndex`: a goal id's place in the document's goals. `ids`: the sessions' ids, in the document's order. */
  async exportChatSessions(userId: string, goalIndex: Map<string, number>): Promise<{ sessions: ChatSessionDoc[]; ids: string[] }> {
    const { em } = this;
    // A group's conversation is the group's (other members wrote in it): not the user's to export.
    const sessions = await em.find(
      ChatSession,
      { user: userId, conversationType: { $ne: ConversationType.GROUP } },
      { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
    );
    const ids = sessions.map((s) => s.id);
    const [messages, drafts] = await Promise.all([
      em.find(Message, { session: { $in: ids } }, { orderBy: [{ session: 'asc' }, { seq: 'asc' }] }),
      this.drafts.draftsOf(ids),
    ]);
    const messagesOf = new Map<string, Message[]>();
    for (const m of messages) messagesOf.set(m.session.id, [...(messagesOf.get(m.session.id) ?? []), m]);
    return {
      ids,
      sessions: sessions.map((s) => ({
        title: s.title,
        conversationType: s.conversationType,
        archived: s.archived,
        metadata: s.metadata,
        createdAt: s.createdAt.toISOString(),
        updatedAt: s.updatedAt.toISOString(),
        ...treeDoc(messagesOf.get(s.id) ?? [], s.activeLeaf?.id ?? null),
        draft: s.conversationType === ConversationType.JOURNALING ? { sections: drafts.get(s.id) ?? [] } : null,
        context:
          s.contextGoal || s.contextPlanDate ? { goal: s.contextGoal ? (goalIndex.get(s.contextGoal.id) ?? null) : null, planDate: s.contextPlanDate } : null,
      })),
    };
  }

  /**
   * In the import's transaction; `goals` are the document's goals as restored. A session the user
   * already has (same type, title and creation time: an earlier import of the same export) is
   * matched, not doubled. `sessions`: each document session as restored, in order.
   */
  async restoreChatSessions(
    em: EntityManager,
    userId: string,
    docs: ChatSessionDoc[],
    goals: readonly { id: string }[],
    now: Date,
  ): Promise<{ sessions: Ref<ChatSession>[]; created: number; messages: number }> {
    const user = em.getReference(User, userId, { wrapped: true });
    const known = new Map((await em.find(ChatSession, { user: userId })).map((s) => [sessionKey(s), s]));
    let created = 0;
    let messages = 0;
    const leaves: Array<[sessionId: string, messageId: string]> = [];
    const sessions = docs.map((s) => {
      const same = known.get(sessionKey({ ...s, createdAt: new Date(s.createdAt) }));
      if (same) return em.getReference(ChatSession, same.id, { wrapped: true });
      created++;
      const session = new ChatSession(user, s.conversationType, s.title, s.metadata);
      session.contextGoal = s.context?.goal == null ? null : em.getReference(Goal, goals[s.context.goal]!.id, { wrapped: true });
      session.contextPlanDate = s.context?.planDate ?? null;
      session.archived = s.archived;
      session.createdAt = new Date(s.createdAt);
      session.updatedAt = new Date(s.updatedAt);
      session.messageCount = s.messages.length;
      em.persist(session);
      const ref = em.getReference(ChatSession, session.id, { wrapped: true });
      const restored: Message[] = [];
      s.messages.forEach((m, i) => {
        const message = new Message(ref, i + 1, m.role, m.content);
        const parent = m.parent === undefined ? restored[i - 1] : m.parent === null ? undefined : restored[m.parent];
        message.parent = parent ? em.getReference(Message, parent.id, { wrapped: true }) : null;
        message.createdAt = message.updatedAt = new Date(m.createdAt);
        restored.push(message);
        em.persist(message);
      });
      const leaf = s.activeLeaf === undefined ? restored.at(-1) : s.activeLeaf === null ? undefined : restored[s.activeLeaf];
      if (leaf) leaves.push([session.id, leaf.id]);
      messages += s.messages.length;
      if (s.conversationType === ConversationType.JOURNALING) this.drafts.restoreDraft(em, ref, s.draft?.sections ?? [], now);
      return ref;
    });
    await this.restoreLeaves(em, leaves);
    return { sessions, created, messages };
  }

  /** After the rows exist, so the session's insert need not wait on its messages' (and its updatedAt stays the document's). */
  private async restoreLeaves(em: EntityManager, leaves: Array<[string, string]>): Promise<void> {
    if (leaves.length === 0) return;
    await em.flush();
    await ormSql(
      em,
      `update chat_session s set active_leaf_id = v.leaf from (values ${leaves.map(() => '(?::uuid, ?::uuid)').join(', ')}) as v(id, leaf) where s.id = v.id`,
      leaves.flat(),
    );
  }
}

/** A session's messages as the document holds them: parents and the active leaf as indexes into the list. */
function treeDoc(messages: Message[], activeLeafId: string | null): Pick<ChatSessionDoc, 'messages' | 'activeLeaf'> {
  const at = new Map(messages.map((m, i) => [m.id, i]));
  return {
    messages: messages.map((m) => ({
      role: m.role,
      content: m.content,
      createdAt: m.createdAt.toISOString(),
      parent: m.parent ? (at.get(m.parent.id) ?? null) : null,
    })),
    activeLeaf: activeLeafId === null ? null : (at.get(activeLeafId) ?? null),
  };
}

function sessionKey(s: { conversationType: string; title: string | null; createdAt: Date }): string {
  return JSON.stringify([s.conversationType, s.title, s.createdAt.getTime()]);
}
