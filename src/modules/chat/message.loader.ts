import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput } from '../../shared/errors.js';
import { decodeCursor, pageSize, toPage, type Page } from '../../shared/pagination.js';
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
  return { forward, limit, afterSeq: seqOf(args.after, 'after'), beforeSeq: seqOf(args.before, 'before') };
}

function seqOf(cursor: string | null | undefined, field: string): number | null {
  const keys = decodeCursor(cursor, field);
  if (!keys) return null;
  const [seq] = keys;
  if (keys.length !== 1 || typeof seq !== 'number' || !Number.isInteger(seq)) {
    throw badUserInput([{ field, message: 'is not a cursor this API gave out' }]);
  }
  return seq;
}

/**
 * Pages of messages for many sessions in one statement: a window over each session's
 * messages keeps `limit + 1` rows per session.
 */
export function createMessageLoader(em: EntityManager, plan: MessagePlan): DataLoader<ChatSession, Page<Message>, string> {
  return new DataLoader<ChatSession, Page<Message>, string>(
    async (sessions) => {
      const ids = [...new Set(sessions.map((s) => s.id))];
      const params: unknown[] = [...ids];
      let bounds = '';
      if (plan.afterSeq !== null) {
        bounds += ' and m.seq > ?';
        params.push(plan.afterSeq);
      }
      if (plan.beforeSeq !== null) {
        bounds += ' and m.seq < ?';
        params.push(plan.beforeSeq);
      }
      params.push(plan.limit + 1);
      const rows = await em.getConnection().execute<Array<Record<string, unknown>>>(
        `select * from (
           select m.*, row_number() over (partition by m.session_id order by m.seq ${plan.forward ? 'asc' : 'desc'}) as rn
           from message m
           where m.session_id in (${ids.map(() => '?').join(', ')})${bounds}
         ) t where t.rn <= ? order by t.session_id, t.rn`,
        params,
      );
      const bySession = new Map<string, Message[]>();
      for (const row of rows) {
        delete row.rn;
        const message = em.map(Message, row);
        const list = bySession.get(message.session.id) ?? [];
        list.push(message);
        bySession.set(message.session.id, list);
      }
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
