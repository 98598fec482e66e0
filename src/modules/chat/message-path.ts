import type { EntityDictionary } from '@mikro-orm/core';
import { ormSql } from '../../db/orm-sql.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChatSession } from './chat-session.entity.js';
import { Message } from './message.entity.js';

/** Keyset bounds on seq along a path, and how many rows to keep from which end. */
export interface PathWindow {
  forward: boolean;
  limit: number;
  afterSeq: number | null;
  beforeSeq: number | null;
}

export interface PathPage {
  rows: Message[];
  /** Messages on the whole path, whatever the window. */
  total: number;
}

type Row = Record<string, unknown>;

/** `?, ?, ?`: the driver binds each value on its own (an array argument would be spread anyway). */
const marks = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

function toMessages(em: EntityManager, rows: Row[], extra: string[]): Message[] {
  return rows.map((row) => {
    const copy = { ...row };
    for (const key of extra) delete copy[key];
    return em.map(Message, copy as EntityDictionary<Message>);
  });
}

/**
 * A window of each session's active path (its active leaf back to the first message), in one
 * statement: a child's seq is always above its parent's, so seq orders the path.
 */
export async function loadActivePaths(
  em: EntityManager,
  sessions: readonly Pick<ChatSession, 'id' | 'messageCount'>[],
  window: PathWindow,
): Promise<Map<string, PathPage>> {
  const ids = [...new Set(sessions.map((s) => s.id))];
  const rows = await ormSql<Row>(
    em,
    `with recursive path as (
       select m.* from message m join chat_session s on s.active_leaf_id = m.id where s.id in (${marks(ids)})
       union all
       select p.* from message p join path c on p.id = c.parent_id
     ),
     counted as (select x.*, count(*) over (partition by x.session_id) as path_total from path x),
     bounded as (
       select c.*, row_number() over (partition by c.session_id order by c.seq ${window.forward ? 'asc' : 'desc'}) as rn
       from counted c where (?::int is null or c.seq > ?::int) and (?::int is null or c.seq < ?::int)
     )
     select * from bounded where rn <= ? order by session_id, rn`,
    [...ids, window.afterSeq, window.afterSeq, window.beforeSeq, window.beforeSeq, window.limit],
  );
  const pages = new Map<string, PathPage>(ids.map((id) => [id, { rows: [], total: 0 }]));
  for (const row of rows) {
    const page = pages.get(String(row.session_id))!;
    page.total = Number(row.path_total);
    page.rows.push(...toMessages(em, [row], ['path_total', 'rn']));
  }
  const windowless = [...new Set(sessions.filter((s) => s.messageCount > 0 && pages.get(s.id)!.rows.length === 0).map((s) => s.id))];
  if (windowless.length > 0) {
    // A window past either end holds no rows, but its page still reports the path's length.
    const counts = await ormSql<Row>(
      em,
      `with recursive path as (
         select m.id, m.parent_id, m.session_id from message m join chat_session s on s.active_leaf_id = m.id where s.id in (${marks(windowless)})
         union all
         select p.id, p.parent_id, p.session_id from message p join path c on p.id = c.parent_id
       ) select session_id, count(*) as path_total from path group by session_id`,
      windowless,
    );
    for (const c of counts) pages.get(String(c.session_id))!.total = Number(c.path_total);
  }
  return pages;
}

/** The path that ends at `messageId`, its last `limit` messages, oldest first: what the agent answers. */
export async function pathTo(em: EntityManager, messageId: string, limit: number): Promise<Message[]> {
  const rows = await ormSql<Row>(
    em,
    `with recursive path as (
       select m.*, 1 as depth from message m where m.id = ?
       union all
       select p.*, c.depth + 1 from message p join path c on p.id = c.parent_id where c.depth < ?
     ) select * from path order by seq`,
    [messageId, limit],
  );
  return toMessages(em, rows, ['depth']);
}

/** The newest leaf under `messageId` (itself when it has no children): following the newest child at each step. */
export async function newestLeafUnder(em: EntityManager, messageId: string): Promise<string> {
  const rows = await ormSql<Row>(
    em,
    `with recursive down as (
       select m.id, 0 as depth from message m where m.id = ?
       union all
       select (select k.id from message k where k.parent_id = d.id order by k.seq desc limit 1), d.depth + 1
       from down d where d.id is not null
     ) select id from down where id is not null order by depth desc limit 1`,
    [messageId],
  );
  return String(rows[0]!.id);
}

/** Each message's siblings (those sharing its parent in its session, the message itself included), ids ordered by creation. */
export async function siblingIds(em: EntityManager, messages: readonly Pick<Message, 'id' | 'session' | 'parent'>[]): Promise<string[][]> {
  const rows = await ormSql<Row>(
    em,
    `select m.id, m.session_id, m.parent_id from message m
     join unnest(array[${marks(messages)}]::uuid[], array[${marks(messages)}]::uuid[]) as k(session_id, parent_id)
       on m.session_id = k.session_id and m.parent_id is not distinct from k.parent_id
     group by m.id, m.session_id, m.parent_id, m.seq order by m.seq`,
    [...messages.map((m) => m.session.id), ...messages.map((m) => m.parent?.id ?? null)],
  );
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    const key = `${String(r.session_id)}/${String(r.parent_id ?? '')}`;
    groups.set(key, [...(groups.get(key) ?? []), String(r.id)]);
  }
  return messages.map((m) => groups.get(`${m.session.id}/${m.parent?.id ?? ''}`) ?? [m.id]);
}
