import type { Config } from '../../config/config.js';
import type { Clock } from '../../shared/clock.js';
import { LocalProvider } from './llm/local.provider.js';
import { OpenAiProvider } from './llm/openai.provider.js';
import type { LlmProvider } from './llm/provider.js';

/** The configured LLM: an OpenAI-compatible server, or the offline rule-based assistant. */
export function createProvider(llm: Config['llm'], clock: Clock): LlmProvider {
  if (llm.provider === 'openai') {
    return new OpenAiProvider({ baseUrl: llm.baseUrl, apiKey: llm.apiKey, model: llm.model, timeoutMs: llm.timeoutMs, maxRetries: llm.maxRetries });
  }
  return new LocalProvider({ clock });
}
