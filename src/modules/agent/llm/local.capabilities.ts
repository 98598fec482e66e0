/** What the offline assistant says it can do: the examples of the rows whose tools this conversation offers. */
import { INTENTS } from './local.intents.js';
import type { ConversationType } from './provider.js';

export function capabilities(tools: Set<string>, conversationType: ConversationType): string {
  const can = [...new Set(INTENTS.flatMap((row) => (row.example && row.tool && tools.has(row.tool) ? [row.example] : [])))];
  const journaling = conversationType === 'JOURNALING' ? ' In this journaling conversation, anything else you tell me goes into your draft.' : '';
  return can.length > 0 ? `I can ${can.join('; ')}.${journaling}` : 'No tools are available in this conversation.';
}
