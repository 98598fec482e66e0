import type { AgentContext, ChatMessage } from '../../src/modules/agent/llm/provider.js';

/** What a provider test sends: a plain GENERAL context and a greeting under a system line. */
export const plainContext: AgentContext = {
  conversationType: 'GENERAL',
  templateSections: [],
  draftSections: [],
  emptySections: [],
  accounts: [],
  preferences: { preferredFeedbackStyle: 'SUPPORTIVE', purposeStatement: null },
};

export const hello: ChatMessage[] = [
  { role: 'system', content: 'You are a coach.' },
  { role: 'user', content: 'Hello there' },
];

/** primary: an OpenAI-compatible server; backup: an Anthropic-compatible one. */
export function chainEnv(openaiUrl: string, anthropicUrl: string, names = { primary: 'primary', backup: 'backup' }): Record<string, string> {
  const [p, b] = [names.primary.toUpperCase(), names.backup.toUpperCase()];
  return {
    LLM_PROVIDERS: `${names.primary},${names.backup}`,
    [`LLM_${p}_KIND`]: 'openai',
    [`LLM_${p}_BASE_URL`]: openaiUrl,
    [`LLM_${p}_MODEL`]: 'scripted-model',
    [`LLM_${b}_KIND`]: 'anthropic',
    [`LLM_${b}_BASE_URL`]: anthropicUrl,
    [`LLM_${b}_API_KEY`]: 'sk-ant-test',
    [`LLM_${b}_MODEL`]: 'claude-fake',
    LLM_TIMEOUT_MS: '400',
    LLM_MAX_RETRIES: '1',
    LLM_RETRY_BASE_MS: '10',
    LLM_RETRY_BUDGET_MS: '2000',
  };
}
