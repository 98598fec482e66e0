import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadWindowPages } from '../../db/window-pages.js';
import { badUserInput } from '../../shared/errors.js';
import { pageSize, seqCursor, toPage, type Page } from '../../shared/pagination.js';
import type { ChatSession } from './chat-session.entity.js';
import type { MessagePageArgs } from './chat.types.js';
import { Message } from './message.entity.js';

/** One page request, normalised: what a batch of sessions shares. */
interface MessagePlan {
  forward: boolean;
  limit: number;
  afterSeq: number | null;
  beforeSeq: number | null;
}

export function messagePlan(args: MessagePageArgs): MessagePlan {
  if (args.first != null && args.last != null) throw badUserInput([{ field: 'last', message: 'cannot be combined with first' }]);
  const forward = !(args.last != null || (args.before != null && args.first == null));
  const limit = forward ? pageSize(args.first, 'first') : pageSize(args.last, 'last');
  return { forward, limit, afterSeq: seqCursor(args.after, 'after'), beforeSeq: seqCursor(args.before, 'before') };
}

/**
 * Pages of messages for many sessions in one statement: a window over each session's
 * messages keeps `limit + 1` rows per session.
 */
export function createMessageLoader(em: EntityManager, plan: MessagePlan): DataLoader<ChatSession, Page<Message>, string> {
  return new DataLoader<ChatSession, Page<Message>, string>(
    async (sessions) => {
      const bySession = await loadWindowPages({
        em,
        entity: Message,
        table: 'message',
        parentColumn: 'session_id',
        parentIds: sessions.map((s) => s.id),
        order: { column: 'seq', direction: plan.forward ? 'asc' : 'desc' },
        bounds: { above: plan.afterSeq, below: plan.beforeSeq },
        limit: plan.limit + 1,
      });
      const hadCursor = plan.forward ? plan.afterSeq !== null : plan.beforeSeq !== null;
      return sessions.map((session) =>
        toPage(bySession.get(session.id) ?? [], plan.limit, (m) => [m.seq], session.messageCount, {
          forward: plan.forward,
          hadCursor,
        }),
      );
    },
    { cacheKeyFn: (session) => session.id },
  );
}
