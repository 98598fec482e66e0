import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { signatureMatches } from '../../../sandbox-bank/signing.js';
import type { CoreDeps } from '../../deps.js';
import { LinkedAccount } from './linked-account.entity.js';
import { LinkedItem } from './linked-item.entity.js';
import { LinkedAccountEventKind } from './linking.enums.js';
import { markLoginRequired, recordWebhook } from './linking.sql.js';
import type { LinkSyncService } from './sync.service.js';

/** How old a webhook's timestamp may be (and how far ahead): older ones are refused as replays. */
export const WEBHOOK_TOLERANCE_SEC = 300;

export interface WebhookAnswer {
  status: 200 | 400 | 401 | 409;
  message: string;
  /** The sync it started, for whoever wants to wait on it (tests); the HTTP answer never does. */
  background?: Promise<void>;
}

/**
 * The aggregator's webhooks: signed (HMAC-SHA-256 over timestamp and body), fresh, and seen
 * once across the fleet (a webhook_receipt row per id). The answer is immediate; the sync
 * it asks for runs after it.
 */
export class WebhookService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'config' | 'logger' | 'moneyPool'>,
    private readonly sync: Pick<LinkSyncService, 'syncItem' | 'announce'>,
  ) {}

  async receive(body: string, timestamp: string | undefined, signature: string | undefined): Promise<WebhookAnswer> {
    if (!timestamp || !signature || !signatureMatches(this.deps.config.aggregator.webhookSecret, timestamp, body, signature)) {
      return { status: 401, message: 'bad signature' };
    }
    const age = this.deps.clock.now().getTime() / 1000 - Number(timestamp);
    if (!Number.isFinite(age) || Math.abs(age) > WEBHOOK_TOLERANCE_SEC) return { status: 401, message: 'stale timestamp' };
    let hook: { webhook_id?: unknown; item_id?: unknown; webhook_code?: unknown };
    try {
      hook = JSON.parse(body) as typeof hook;
    } catch {
      return { status: 400, message: 'not JSON' };
    }
    if (typeof hook.webhook_id !== 'string' || typeof hook.item_id !== 'string') return { status: 400, message: 'webhook_id and item_id are required' };
    const first = recordWebhook(uuidv7(), hook.webhook_id, hook.item_id, this.deps.clock.now());
    if ((await this.deps.moneyPool.query(first.text, first.values)).rows.length === 0) return { status: 409, message: 'replayed' };
    const item = await this.em.findOne(LinkedItem, { externalId: hook.item_id });
    if (!item) return { status: 200, message: 'unknown item' };
    const background = this.act(item, String(hook.webhook_code)).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, itemId: item.id }, 'webhook sync failed');
    });
    return { status: 200, message: 'accepted', background };
  }

  private async act(item: LinkedItem, code: string): Promise<void> {
    if (code === 'ITEM_LOGIN_REQUIRED') {
      const mark = markLoginRequired(item.id, this.deps.clock.now());
      await this.deps.moneyPool.query(mark.text, mark.values);
      await this.sync.announce(item.user.id, await this.em.find(LinkedAccount, { item: item.id }), LinkedAccountEventKind.LOGIN_REQUIRED, null);
      return;
    }
    await this.sync.syncItem(item.id);
  }
}
