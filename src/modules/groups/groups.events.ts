import type { GroupData, GroupEventData, GroupExpenseData, SettlementData, UserData } from '../../pubsub/topics.js';
import { Topic } from '../../pubsub/topics.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import { endAfter } from '../../pubsub/filter.js';
import { GroupEventKind } from './groups.types.js';

/** After commit: one change to every member listening on the group (across instances through the pub/sub). */
export function publishGroupEvent(
  pubsub: PubSub,
  kind: GroupEventKind,
  group: GroupData,
  at: Date,
  about: { expense?: GroupExpenseData; settlement?: SettlementData; member?: UserData },
): Promise<void> {
  const event: GroupEventData = {
    kind,
    group,
    expense: about.expense ?? null,
    settlement: about.settlement ?? null,
    member: about.member ?? null,
    at: at.toISOString(),
  };
  return pubsub.publish(Topic.GROUP_EVENT, group.id, event);
}

/** The group's events for one member, ending after the one that says they left or were removed. */
export function watchGroup(pubsub: PubSub, groupId: string, userId: string): AsyncIterableIterator<GroupEventData> {
  return endAfter(pubsub.subscribe(Topic.GROUP_EVENT, groupId), (e) => e.kind === GroupEventKind.MEMBER_LEFT && e.member?.id === userId);
}
