import type { CoreDeps } from '../../deps.js';
import { selectDueItems } from './linking.sql.js';
import type { LinkSyncService } from './sync.service.js';

const ITEMS_PER_ROUND = 20;

/**
 * LINK_SYNC_INTERVAL's round (server/maintenance.ts runs it every interval): the items not synced
 * for that long, one at a time. Any instance may run it: an item another instance is syncing is
 * skipped (its advisory lock is held).
 */
export function syncRound(
  deps: Pick<CoreDeps, 'clock' | 'moneyPool' | 'logger'>,
  intervalSec: number,
  syncFor: () => Pick<LinkSyncService, 'syncItem'>,
): () => Promise<void> {
  return async () => {
    const due = selectDueItems(new Date(deps.clock.now().getTime() - intervalSec * 1000), ITEMS_PER_ROUND);
    for (const row of (await deps.moneyPool.query(due.text, due.values)).rows) {
      await syncFor()
        .syncItem(row.id as string)
        .catch((error: unknown) => deps.logger.info({ err: error, itemId: row.id }, 'scheduled sync did not complete'));
    }
  };
}
