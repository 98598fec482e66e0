import type { PubSub } from '../../pubsub/pubsub.js';
import type { PostingHook } from '../transfers/transfer.events.js';
import { groupDataOf } from './group.access.js';
import { isoOf } from '../../db/statement.js';
import { publishGroupEvent } from './groups.events.js';
import { settlePosted } from './groups.sql.js';
import { GroupEventKind } from './groups.types.js';
import { SettlementStatus } from './settlement.entity.js';
import { settlementData } from './settlements.service.js';

/**
 * A settlement's transfer posting marks it SETTLED in the posting's own transaction (no crash
 * leaves one without the other), and its group hears of it after commit.
 */
export function settlementPostingHook(pubsub: PubSub): PostingHook {
  return {
    statement: (posting, at) => settlePosted(posting.transferIds, at),
    afterCommit: async (rows) => {
      for (const r of rows) {
        const group = groupDataOf(r.group as Record<string, unknown>);
        const at = new Date(isoOf(r.updated_at));
        const data = settlementData(group, {
          id: r.id as string,
          from: { id: r.from_user_id as string, username: r.from_username as string },
          to: { id: r.to_user_id as string, username: r.to_username as string },
          amount: BigInt(r.amount as string),
          status: SettlementStatus.SETTLED,
          transferId: r.transfer_id as string,
          createdAt: new Date(isoOf(r.created_at)),
        });
        await publishGroupEvent(pubsub, GroupEventKind.SETTLED, group, at, { settlement: data });
      }
    },
  };
}
