import type { PlainSql } from '../../db/pg.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic } from '../../pubsub/topics.js';
import type { GroupSessionMembers } from '../chat/chat.service.js';
import { selectSessionGroup, selectSessionsOf } from './groups.sql.js';
import { GroupEventKind } from './groups.types.js';

/*
 * The groups module's answer to the chat and agent modules (which sit below it): a GROUP
 * session belongs to its group's current members and to no one else, its creator included.
 */
export function groupSessionMembers(sql: PlainSql, pubsub: PubSub): GroupSessionMembers {
  const groupOf = async (sessionId: string, userId: string): Promise<string | null> => {
    const s = selectSessionGroup(sessionId, userId);
    const [row] = await sql.execute<{ id: string }>(s.sql, s.params);
    return row?.id ?? null;
  };
  return {
    groupOf,
    async sessionsOf(userId) {
      const s = selectSessionsOf(userId);
      return (await sql.execute<{ id: string }>(s.sql, s.params)).map((r) => r.id);
    },
    untilLeft(groupId, sessionId, userId, source) {
      const events = pubsub.subscribe(Topic.GROUP_EVENT, groupId);
      const left = (async () => {
        // Subscribed first, then checked again: a departure between the caller's check and now is not missed.
        if ((await groupOf(sessionId, userId)) === null) return;
        for await (const e of events) if (e.kind === GroupEventKind.MEMBER_LEFT && e.member?.id === userId) return;
      })();
      return endWhen(source, left, () => events.return?.());
    },
  };
}

type Done = IteratorReturnResult<undefined>;
const DONE: Done = { value: undefined, done: true };

/** `source` until `stop` settles; ending either way closes the source and calls `close`. */
function endWhen<T>(source: AsyncIterableIterator<T>, stop: Promise<unknown>, close: () => unknown): AsyncIterableIterator<T> {
  let ended = false;
  const finish = async (): Promise<Done> => {
    if (!ended) {
      ended = true;
      await Promise.all([source.return?.(), close()]);
    }
    return DONE;
  };
  const stopped = stop.then(finish, finish);
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (ended) return finish();
      const result = await Promise.race([source.next(), stopped]);
      if (result.done) return finish();
      return result;
    },
    return: finish,
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
