import type { DraftSnapshot, MessageSnapshot } from '../../pubsub/topics.js';
import type { Message } from '../chat/message.entity.js';
import type { Draft } from '../drafts/draft.entity.js';

/**
 * Plain copies carried inside events. type-graphql turns them back into the entity class
 * (Object.assign onto an instance), so they hold what the entity's getters read
 * (`session.id`), never the getters themselves (`sessionId`, `isEmpty`).
 */
export function messageSnapshot(message: Message): MessageSnapshot {
  return {
    id: message.id,
    session: { id: message.sessionId },
    role: message.role,
    content: message.content,
    createdAt: message.createdAt.toISOString(),
    runId: message.runId,
    parent: message.parent ? { id: message.parent.id } : null,
    author: message.author ? { id: message.author.id } : null,
  };
}

export function draftSnapshot(draft: Draft): DraftSnapshot {
  return {
    id: draft.id,
    session: { id: draft.sessionId },
    sections: draft.sections.map((s) => ({ name: s.name, content: s.content })),
    createdAt: draft.createdAt.toISOString(),
    updatedAt: draft.updatedAt.toISOString(),
  };
}
