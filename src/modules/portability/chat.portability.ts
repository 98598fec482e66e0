import { SIZE_CAPS } from '../../shared/size-caps.js';
import { ConversationType } from '../chat/chat-session.entity.js';
import type { ChatSessionDoc } from '../chat/chat-document.service.js';
import { metadataProblem } from '../chat/chat.rules.js';
import { MessageRole } from '../chat/message.entity.js';
import { DAY, TIMESTAMP, bool, day, index, Invalid, list, nullable, oneOf, record, reference, text, timestamp } from './document-schema.js';
import { checkSections, sectionsSchema } from './drafts.portability.js';

/* The document's chat sessions: their schema and the checks past it. */

const MAX = { chatSessions: 10_000, messages: 100_000 } as const;

const message = record(
  { role: oneOf(MessageRole), content: text(SIZE_CAPS.messageContent), createdAt: TIMESTAMP, parent: reference('an earlier message of the session') },
  ['parent'],
);

export const chatSessionsSchema = list(
  record(
    {
      title: nullable(text(SIZE_CAPS.sessionTitle)),
      conversationType: oneOf(ConversationType),
      archived: bool,
      metadata: { type: ['object', 'null'] },
      createdAt: TIMESTAMP,
      updatedAt: TIMESTAMP,
      messages: list(message, MAX.messages),
      draft: nullable(record({ sections: sectionsSchema })),
      context: nullable(record({ goal: reference('a goal in goals'), planDate: nullable(DAY) })),
      activeLeaf: reference('a message of the session'),
    },
    ['context', 'activeLeaf'],
  ),
  MAX.chatSessions,
);

export function checkChatSessions(sessions: ChatSessionDoc[], goalCount: number): ChatSessionDoc[] {
  let messageTotal = 0;
  return sessions.map((s, i) => {
    const at = `chatSessions[${i}]`;
    const problem = metadataProblem(s.metadata);
    if (problem) throw new Invalid(`${at}.metadata`, problem);
    messageTotal += s.messages.length;
    if (messageTotal > MAX.messages) throw new Invalid(`${at}.messages`, `the document may hold at most ${MAX.messages} messages`);
    // A parent comes before its child, so a document's tree has no cycle; documents without parents are one path.
    const messages = s.messages.map((m, j) => {
      const parent = m.parent === undefined ? (j === 0 ? null : j - 1) : m.parent;
      index(parent, j, `${at}.messages[${j}].parent`, 'an earlier message of the session');
      return { ...m, parent, createdAt: timestamp(m.createdAt, `${at}.messages[${j}].createdAt`) };
    });
    const activeLeaf = s.activeLeaf === undefined ? (messages.length === 0 ? null : messages.length - 1) : s.activeLeaf;
    index(activeLeaf, messages.length, `${at}.activeLeaf`, 'a message of the session');
    if (s.conversationType === ConversationType.GROUP)
      throw new Invalid(`${at}.conversationType`, "must not be GROUP: a group's conversation stays with its group");
    if (s.draft !== null) {
      if (s.conversationType !== ConversationType.JOURNALING) throw new Invalid(`${at}.draft`, 'must be null: only JOURNALING sessions have a draft');
      checkSections(s.draft.sections, `${at}.draft.sections`);
    }
    const context = s.context ?? null;
    if (context) index(context.goal, goalCount, `${at}.context.goal`, 'a goal in goals');
    return {
      ...s,
      createdAt: timestamp(s.createdAt, `${at}.createdAt`),
      updatedAt: timestamp(s.updatedAt, `${at}.updatedAt`),
      messages,
      activeLeaf,
      context: context && { goal: context.goal, planDate: context.planDate === null ? null : day(context.planDate, `${at}.context.planDate`) },
    };
  });
}
