import type { PgResult } from '../../db/statement.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic } from '../../pubsub/topics.js';
import type { PostingHook } from '../transfers/transfer.events.js';
import { achieveReachedAt, goalDataOf } from './goals.sql.js';

/** Each goal the guarded update made ACHIEVED, announced to its owner with the whole goal. */
export async function publishAchieved(pubsub: PubSub, rows: PgResult['rows']): Promise<void> {
  for (const row of rows) {
    const data = goalDataOf(row);
    await pubsub.publish(Topic.GOAL_ACHIEVED, data.userId, data);
  }
}

/**
 * Savings goals reaching their target, checked inside the posting's own transaction (one
 * statement among its commit's writes, so a transfer costs no extra round trip) and
 * announced after it commits. The status guard keeps it once-only under concurrent postings.
 */
export function goalPostingHook(pubsub: PubSub): PostingHook {
  return {
    statement: (posting, at) => achieveReachedAt(posting.balances, at),
    afterCommit: (rows) => publishAchieved(pubsub, rows),
  };
}
