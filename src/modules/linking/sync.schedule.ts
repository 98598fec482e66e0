import type { CoreDeps } from '../../deps.js';
import { selectDueItems } from './linking.sql.js';
import type { LinkSyncService } from './sync.service.js';

const ITEMS_PER_ROUND = 20;

/**
 * LINK_SYNC_INTERVAL: every interval, the items not synced for that long, one at a time. Any
 * instance may run it: an item another instance is syncing is skipped (its lease is held).
 */
export function scheduleSyncs(
  deps: Pick<CoreDeps, 'clock' | 'moneyPool' | 'logger'>,
  intervalSec: number,
  syncFor: () => Pick<LinkSyncService, 'syncItem'>,
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    const due = selectDueItems(new Date(deps.clock.now().getTime() - intervalSec * 1000), ITEMS_PER_ROUND);
    for (const row of (await deps.moneyPool.query(due.text, due.values)).rows) {
      await syncFor()
        .syncItem(row.id as string)
        .catch((error: unknown) => deps.logger.info({ err: error, itemId: row.id }, 'scheduled sync did not complete'));
    }
  };
  const timer = setInterval(() => {
    running = running.then(round).catch((error: unknown) => deps.logger.warn({ err: error }, 'scheduled syncs failed'));
  }, intervalSec * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
