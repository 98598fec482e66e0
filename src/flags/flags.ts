import { randomUUID } from 'node:crypto';
import { OpenFeature, type Client, type EvaluationContext } from '@openfeature/server-sdk';
import { DomainError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { FLAG_CATALOG, FLAG_KEYS, type FlagKey } from './flags.catalog.js';
import { FileFlagProvider } from './file-provider.js';
import type { FlagReason } from './flags.rules.js';

/** Who a flag is evaluated for; null for an anonymous caller. */
export interface FlagCaller {
  userId: string;
  role: string;
}

export interface EvaluatedFlag {
  key: FlagKey;
  enabled: boolean;
  variant: string | null;
  reason: FlagReason;
}

/**
 * The one evaluation point: resolvers, services and the agent ask here. Evaluations run in
 * memory on the provider's copy of the file; no request reads the database for a flag.
 */
export class Flags {
  private constructor(
    private readonly client: Client,
    private readonly provider: FileFlagProvider,
  ) {}

  /** OpenFeature's registry is process-wide; each app takes a domain of its own, so two in one process do not share flags. */
  static async open(options: { file: string | undefined; overrides: Partial<Record<FlagKey, boolean>>; logger: Logger }): Promise<Flags> {
    const provider = new FileFlagProvider(options.file, options.overrides, options.logger);
    const domain = `coach-gateway-${randomUUID()}`;
    await OpenFeature.setProviderAndWait(domain, provider);
    return new Flags(OpenFeature.getClient(domain), provider);
  }

  async evaluate(key: FlagKey, caller: FlagCaller | null): Promise<EvaluatedFlag> {
    const fallback = FLAG_CATALOG.find((f) => f.key === key)!.default;
    const context: EvaluationContext = caller ? { targetingKey: caller.userId, role: caller.role } : {};
    const details = await this.client.getBooleanDetails(key, fallback, context);
    return { key, enabled: details.value, variant: details.variant ?? null, reason: (details.reason ?? 'DEFAULT') as FlagReason };
  }

  async isEnabled(key: FlagKey, caller: FlagCaller | null): Promise<boolean> {
    return (await this.evaluate(key, caller)).enabled;
  }

  /** Throws FEATURE_DISABLED naming the flag when it is off for the caller. */
  async require(key: FlagKey, caller: FlagCaller | null): Promise<void> {
    if (await this.isEnabled(key, caller)) return;
    throw new DomainError('FEATURE_DISABLED', `This feature is switched off (flag "${key}"); ask the operator to enable it.`, { flag: key });
  }

  all(caller: FlagCaller | null): Promise<EvaluatedFlag[]> {
    return Promise.all(FLAG_KEYS.map((key) => this.evaluate(key, caller)));
  }

  close(): Promise<void> {
    return this.provider.onClose();
  }
}
