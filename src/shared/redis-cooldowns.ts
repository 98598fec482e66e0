import { Redis } from 'ioredis';
import type { CooldownPolicy, Cooldowns } from './cooldowns.js';

const PREFIX = 'coach:llm:';

/** Counts in one window (PX NX: it starts at the first failure); the failure that reaches the limit starts the rest and clears the count. */
const FAILED = `local count = redis.call('incr', KEYS[1])
redis.call('pexpire', KEYS[1], ARGV[1], 'NX')
if count >= tonumber(ARGV[2]) then
  redis.call('del', KEYS[1])
  redis.call('set', KEYS[2], '1', 'PX', ARGV[3])
  return 1
end
return 0`;

type CooldownRedis = Redis & { llmFailed(failures: string, resting: string, windowMs: number, limit: number, cooldownMs: number): Promise<number> };

/** The fleet's shared cooldowns: a provider one instance saw fail is rested by all. */
export class RedisCooldowns implements Cooldowns {
  private readonly redis: CooldownRedis;

  constructor(
    url: string,
    private readonly policy: CooldownPolicy,
    private readonly prefix = PREFIX,
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableAutoPipelining: true }) as CooldownRedis;
    this.redis.defineCommand('llmFailed', { numberOfKeys: 2, lua: FAILED });
    this.redis.on('error', () => {
      // Reported by the commands that fail; the chain goes on without cooldowns.
    });
  }

  async cooling(name: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}resting:${name}`)) === 1;
  }

  async failed(name: string): Promise<boolean> {
    const { failures, windowMs, cooldownMs } = this.policy;
    return (await this.redis.llmFailed(`${this.prefix}failures:${name}`, `${this.prefix}resting:${name}`, windowMs, failures, cooldownMs)) === 1;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
