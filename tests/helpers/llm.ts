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
