import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput } from '../../shared/errors.js';
import { pageSize, seqCursor, toPage, type Page } from '../../shared/pagination.js';
import type { ChatSession } from './chat-session.entity.js';
import type { MessagePageArgs } from './chat.types.js';
import type { Message } from './message.entity.js';
import { loadActivePaths, siblingIds, type PathWindow } from './message-path.js';

export function messagePlan(args: MessagePageArgs): PathWindow {
  if (args.first != null && args.last != null) throw badUserInput([{ field: 'last', message: 'cannot be combined with first' }]);
  const forward = !(args.last != null || (args.before != null && args.first == null));
  const limit = forward ? pageSize(args.first, 'first') : pageSize(args.last, 'last');
  return { forward, limit, afterSeq: seqCursor(args.after, 'after'), beforeSeq: seqCursor(args.before, 'before') };
}

/** Pages of many sessions' active paths in one statement, keeping `limit + 1` rows per session. */
export function createMessageLoader(em: EntityManager, plan: PathWindow): DataLoader<ChatSession, Page<Message>, string> {
  return new DataLoader<ChatSession, Page<Message>, string>(
    async (sessions) => {
      const paths = await loadActivePaths(em, sessions, { ...plan, limit: plan.limit + 1 });
      const hadCursor = plan.forward ? plan.afterSeq !== null : plan.beforeSeq !== null;
      return sessions.map((session) => {
        const path = paths.get(session.id) ?? { rows: [], total: 0 };
        return toPage(path.rows, plan.limit, (m) => [m.seq], path.total, { forward: plan.forward, hadCursor });
      });
    },
    { cacheKeyFn: (session) => session.id },
  );
}

/** The sibling ids of many messages in one statement. */
export function createSiblingLoader(em: EntityManager): DataLoader<Message, string[], string> {
  return new DataLoader<Message, string[], string>((messages) => siblingIds(em, messages), { cacheKeyFn: (m) => m.id });
}
