import type { ChatMessage } from './provider.js';

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

/**
 * Our messages in the Messages API's shape: system text apart, tool results as user
 * blocks, and neighbours of one role merged (the API wants user and assistant to alternate).
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system: string; messages: AnthropicMessage[] } {
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage['role'], blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        system.push(message.content);
        break;
      case 'user':
        push('user', text(message.content));
        break;
      case 'assistant':
        push('assistant', [
          ...text(message.content),
          ...(message.toolCalls ?? []).map((call): Block => ({ type: 'tool_use', id: call.id, name: call.name, input: parseInput(call.arguments) })),
        ]);
        break;
      case 'tool':
        push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }]);
        break;
    }
  }
  return { system: system.join('\n\n'), messages: out };
}

/** The API refuses empty text blocks. */
function text(content: string): Block[] {
  return content.trim() === '' ? [] : [{ type: 'text', text: content }];
}

/** tool_use.input must be an object; a model's unparsable arguments are passed on as a string field so the tool result can say so. */
function parseInput(args: string): unknown {
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed !== null && typeof parsed === 'object' ? parsed : { value: parsed };
  } catch {
    return { raw: args };
  }
}
