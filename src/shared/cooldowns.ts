/** N failures of a provider within a window put it to rest for a while; every instance of a fleet shares the count through Redis. */
export interface Cooldowns {
  /** True while `name` is resting. */
  cooling(name: string): Promise<boolean>;
  /** Counts one failure; true when this one started a cooldown. */
  failed(name: string): Promise<boolean>;
}

export interface CooldownPolicy {
  failures: number;
  windowMs: number;
  cooldownMs: number;
}

/** One process's counts: the default without REDIS_URL. */
export class MemoryCooldowns implements Cooldowns {
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly resting = new Map<string, number>();

  constructor(
    private readonly policy: CooldownPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  cooling(name: string): Promise<boolean> {
    return Promise.resolve((this.resting.get(name) ?? 0) > this.now());
  }

  failed(name: string): Promise<boolean> {
    const now = this.now();
    const window = this.failures.get(name);
    const current = window && window.until > now ? window : { count: 0, until: now + this.policy.windowMs };
    current.count++;
    this.failures.set(name, current);
    if (current.count < this.policy.failures) return Promise.resolve(false);
    this.failures.delete(name);
    this.resting.set(name, now + this.policy.cooldownMs);
    return Promise.resolve(true);
  }
}
