import { systemClock, type Clock } from '../../../shared/clock.js';
import { decide } from './local.decide.js';
import { ProviderError, abortableDelay, type ChatMessage, type LlmProvider, type ProviderEvent, type ProviderRequest } from './provider.js';

export interface LocalProviderOptions {
  /** Pause between streamed words, so the answer visibly streams; 0 streams at once. */
  wordDelayMs?: number;
  /** "Last month" and similar periods are relative to it. */
  clock?: Clock;
}

/**
 * A deterministic rule-based assistant, not a language model: it reads the conversation,
 * picks a tool by fixed rules or writes an answer from tool results, and streams it word by
 * word through the same interface, so the gateway works offline.
 */
export class LocalProvider implements LlmProvider {
  readonly name = 'local';
  readonly model = 'rule-based-v1';
  private readonly wordDelayMs: number;
  private readonly clock: Clock;

  constructor(options: LocalProviderOptions = {}) {
    this.wordDelayMs = options.wordDelayMs ?? 20;
    this.clock = options.clock ?? systemClock;
  }

  async *stream(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
    const { signal } = request;
    let yielded = false;
    const stopIfCancelled = () => {
      if (signal.aborted) throw new ProviderError('CANCELLED', 'The run was cancelled', yielded);
    };
    stopIfCancelled();
    const action = decide(request, this.clock.now());
    let completionTokens = countWords(action.reasoning);

    yield { type: 'reasoning', delta: action.reasoning };
    yielded = true;
    stopIfCancelled();

    if (action.type === 'call') {
      const call = { id: `call_${countToolCalls(request.messages) + 1}`, name: action.name, arguments: JSON.stringify(action.args) };
      completionTokens += countWords(`${call.name} ${call.arguments}`);
      yield { type: 'tool_call', call };
    } else {
      const words = action.text.trim().match(/\S+\s*/g) ?? [];
      for (const [i, word] of words.entries()) {
        if (i > 0 && this.wordDelayMs > 0) await abortableDelay(this.wordDelayMs, signal, true);
        stopIfCancelled();
        completionTokens++;
        yield { type: 'text', delta: word };
      }
    }
    stopIfCancelled();
    const promptTokens = request.messages.reduce((sum, m) => sum + countWords(messageText(m)), 0);
    yield { type: 'usage', usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens } };
  }
}

/** "Tokens" here are whitespace-separated words: honest for a model that has no tokenizer. */
function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

function messageText(message: ChatMessage): string {
  if (message.role === 'assistant') return [message.content, ...(message.toolCalls ?? []).map((c) => `${c.name} ${c.arguments}`)].join(' ');
  return message.content;
}

function countToolCalls(messages: ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + (m.role === 'assistant' ? (m.toolCalls?.length ?? 0) : 0), 0);
}
