import type { Config } from '../config/config.js';
import { DomainError } from './errors.js';
import type { Metrics } from './metrics.js';
import type { RateLimiter } from './rate-limiter.js';

export type LimitScope = 'operations' | 'subscribes' | 'sendMessage';

export interface Caller {
  userId?: string | null;
  ip?: string | null;
}

/**
 * The request rate limits: HTTP operations, WebSocket subscribe messages, and agent runs
 * (which cost money). Counters live in the RateLimiter, so a fleet on Redis shares them.
 */
export class RateLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly config: Config['rateLimits'],
    private readonly metrics: Pick<Metrics, 'rateLimited'>,
  ) {}

  /** Throws RATE_LIMITED with `extensions.retryAfter` (seconds) once a caller is over its limit. */
  async check(scope: LimitScope, caller: Caller): Promise<void> {
    const { windowSec } = this.config;
    const limits: Array<[string, number]> = [];
    if (caller.userId) limits.push([`${scope}:user:${caller.userId}`, this.perUser(scope)]);
    if (caller.ip) limits.push([`${scope}:ip:${caller.ip}`, this.perIp(scope)]);
    // Every request's limits are counted locally and added to Redis in batches (no round trip per
    // request; a bounded overshoot across a fleet: shared/batched-counts.ts). Agent runs cost money
    // and are few: counted exactly. The user's refusal wins, as before.
    const consume = scope === 'sendMessage' ? this.limiter.consume : this.limiter.consumeBatched;
    const waits = await Promise.all(limits.map(([key, limit]) => (limit > 0 ? consume.call(this.limiter, key, limit, windowSec) : 0)));
    const retryAfter = waits.find((wait) => wait > 0);
    if (retryAfter !== undefined) {
      this.metrics.rateLimited(scope);
      throw new DomainError('RATE_LIMITED', `${DESCRIPTIONS[scope]}: try again in ${retryAfter} s`, { retryAfter });
    }
  }

  private perUser(scope: LimitScope): number {
    if (scope === 'operations') return this.config.operationsPerUser;
    if (scope === 'subscribes') return this.config.subscribesPerUser;
    return this.config.sendMessagePerUser;
  }

  private perIp(scope: LimitScope): number {
    if (scope === 'operations') return this.config.operationsPerIp;
    if (scope === 'subscribes') return this.config.subscribesPerIp;
    return 0;
  }
}

const DESCRIPTIONS: Record<LimitScope, string> = {
  operations: 'Too many requests',
  subscribes: 'Too many subscribe messages',
  sendMessage: 'Too many messages to the assistant',
};
