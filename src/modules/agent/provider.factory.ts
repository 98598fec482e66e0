import type { Config } from '../../config/config.js';
import type { Clock } from '../../shared/clock.js';
import { LocalProvider } from './llm/local.provider.js';
import type { LlmProvider } from './llm/provider.js';

/** The configured LLM: an OpenAI-compatible server, or the offline rule-based assistant (the `openai` package loads only for the first). */
export async function createProvider(llm: Config['llm'], clock: Clock): Promise<LlmProvider> {
  if (llm.provider === 'openai') {
    const { OpenAiProvider } = await import('./llm/openai.provider.js');
    return new OpenAiProvider({ baseUrl: llm.baseUrl, apiKey: llm.apiKey, model: llm.model, timeoutMs: llm.timeoutMs, maxRetries: llm.maxRetries });
  }
  return new LocalProvider({ clock });
}
