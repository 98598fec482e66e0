import type { Config, LlmProviderConfig } from '../../config/config.js';
import type { Clock } from '../../shared/clock.js';
import type { Cooldowns } from '../../shared/cooldowns.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import type { Tracing } from '../../shared/tracing.js';
import { ProviderChain } from './llm/chain.js';
import { LocalProvider } from './llm/local.provider.js';
import type { LlmProvider } from './llm/provider.js';

export interface ProviderChains {
  /** The configured chain. */
  configured: ProviderChain;
  /** The local assistant alone: what runs use while the `ai` flag is off for their user. */
  offline: ProviderChain;
}

/** The configured LLM chain (the `openai` package loads only when a provider needs it) and the offline one. */
export async function createProviders(
  llm: Config['llm'],
  deps: { clock: Clock; cooldowns: Cooldowns; metrics: Metrics; logger: Logger; tracing?: Tracing },
): Promise<ProviderChains> {
  const chainDeps = { retry: { maxRetries: llm.maxRetries, baseMs: llm.retryBaseMs, budgetMs: llm.retryBudgetMs }, ...deps };
  const local = new LocalProvider({ clock: deps.clock });
  const providers = await Promise.all(llm.providers.map((p) => createProvider(p, llm.timeoutMs, local)));
  return { configured: new ProviderChain(providers, chainDeps), offline: new ProviderChain([local], chainDeps) };
}

async function createProvider(config: LlmProviderConfig, timeoutMs: number, local: LlmProvider): Promise<LlmProvider> {
  const options = { name: config.name, baseUrl: config.baseUrl, apiKey: config.apiKey, model: config.model, timeoutMs };
  switch (config.kind) {
    case 'openai': {
      const { OpenAiProvider } = await import('./llm/openai.provider.js');
      return new OpenAiProvider(options);
    }
    case 'anthropic': {
      const { AnthropicProvider } = await import('./llm/anthropic.provider.js');
      return new AnthropicProvider(options);
    }
    case 'local':
      return local;
  }
}
