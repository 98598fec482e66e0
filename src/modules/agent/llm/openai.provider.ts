import OpenAI, { APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { failureOfStatus, retryAfterMs } from './failure.rules.js';
import { StreamGuard } from './stream-guard.js';
import {
  ProviderError,
  type ChatMessage,
  type LlmProvider,
  type ProviderEvent,
  type ProviderRequest,
  type TokenUsage,
  type ToolCallRequest,
  type ToolDefinition,
} from './provider.js';

export interface OpenAiProviderOptions {
  /** Names the provider in the chain (LLM_PROVIDERS); 'openai' for the single-provider settings. */
  name?: string;
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama) */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** No chunk (or no response) for this long ends the turn with TIMEOUT. */
  timeoutMs: number;
}

/** Chat completions over any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio, llama.cpp). One try per call: the chain retries. */
export class OpenAiProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly timeoutMs: number;

  constructor(options: OpenAiProviderOptions) {
    this.name = options.name ?? 'openai';
    this.model = options.model;
    this.timeoutMs = options.timeoutMs;
    // Retries and timeouts are the chain's: the SDK cannot tell whether output already reached the user.
    // Its own timeout only backs ours up (it covers the wait for response headers only).
    this.client = new OpenAI({ baseURL: options.baseUrl, apiKey: options.apiKey, maxRetries: 0, timeout: options.timeoutMs * 2 });
  }

  async *stream(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
    let yielded = false;
    try {
      for await (const event of this.attempt(request, () => yielded)) {
        yielded = true;
        yield event;
      }
    } catch (caught) {
      throw toProviderError(caught, yielded);
    }
  }

  private async *attempt(request: ProviderRequest, yielded: () => boolean): AsyncGenerator<ProviderEvent> {
    const guard = new StreamGuard(request.signal, this.timeoutMs);
    try {
      guard.waiting();
      const stream = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: request.messages.map(toOpenAiMessage),
          ...(request.tools.length > 0 ? { tools: request.tools.map(toOpenAiTool) } : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: guard.http.signal },
      );
      const calls = new ToolCallAssembler();
      let usage: TokenUsage | undefined;
      // The SDK ends the iteration quietly on abort; `interrupted()` tells why it ended.
      for await (const chunk of stream) {
        guard.arrived();
        if (chunk.usage) usage = toUsage(chunk.usage);
        const choice = chunk.choices?.[0];
        if (!choice) {
          guard.waiting();
          continue;
        }
        const delta = (choice.delta ?? {}) as ChatCompletionChunk.Choice.Delta & Record<string, unknown>;
        const reasoning = reasoningOf(delta);
        if (reasoning) yield { type: 'reasoning', delta: reasoning };
        if (typeof delta.content === 'string' && delta.content !== '') yield { type: 'text', delta: delta.content };
        if (delta.tool_calls) calls.add(delta.tool_calls);
        if (choice.finish_reason) for (const call of calls.finish()) yield { type: 'tool_call', call };
        guard.waiting();
      }
      guard.arrived();
      const stopped = guard.interrupted(yielded());
      if (stopped) throw stopped;
      for (const call of calls.finish()) yield { type: 'tool_call', call };
      if (usage) yield { type: 'usage', usage };
    } catch (caught) {
      throw guard.interrupted(yielded()) ?? caught;
    } finally {
      guard.close();
    }
  }
}

function toProviderError(caught: unknown, afterOutput: boolean): ProviderError {
  if (caught instanceof ProviderError) return caught;
  if (caught instanceof APIUserAbortError) return new ProviderError('CANCELLED', 'The run was cancelled', afterOutput);
  const status = caught instanceof APIError ? caught.status : undefined;
  const message = caught instanceof Error ? caught.message : String(caught);
  const detail = status !== undefined ? `HTTP ${status}: ${message}` : message;
  const when = afterOutput ? 'while streaming' : 'before answering';
  // Without a status: a connection refused or cut, or an error object inside the stream.
  const failure = status !== undefined ? failureOfStatus(status, message) : 'UNAVAILABLE';
  const hint = caught instanceof APIError ? retryAfterMs(caught.headers) : undefined;
  return new ProviderError('PROVIDER_ERROR', `The model server failed ${when} (${detail})`, afterOutput, { cause: caught, failure, retryAfterMs: hint });
}

/** Non-standard fields: DeepSeek and older vLLM send `reasoning_content`, Ollama and newer vLLM `reasoning`. */
function reasoningOf(delta: Record<string, unknown>): string | undefined {
  // Servers that send both carry the same text in each: take one.
  for (const field of ['reasoning_content', 'reasoning']) {
    const value = delta[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Tool calls arrive as fragments keyed by `index`: id and name first, arguments in pieces. */
class ToolCallAssembler {
  private readonly pending = new Map<number, { id: string; name: string; arguments: string }>();

  add(fragments: ChatCompletionChunk.Choice.Delta.ToolCall[]): void {
    for (const fragment of fragments) {
      // Some servers omit `index` on single, complete calls.
      const index = typeof fragment.index === 'number' ? fragment.index : this.pending.size;
      const call = this.pending.get(index) ?? { id: '', name: '', arguments: '' };
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name += fragment.function.name;
      if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
      this.pending.set(index, call);
    }
  }

  /** The calls assembled so far, in index order; each is handed out once. */
  finish(): ToolCallRequest[] {
    const calls = [...this.pending.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({
        id: call.id || `call_${index}`,
        name: call.name,
        arguments: call.arguments.trim() === '' ? '{}' : call.arguments,
      }));
    this.pending.clear();
    return calls;
  }
}

function toUsage(usage: NonNullable<ChatCompletionChunk['usage']>): TokenUsage {
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: usage.total_tokens ?? promptTokens + completionTokens };
}

function toOpenAiTool(tool: ToolDefinition): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant':
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // OpenAI wants null rather than '' next to tool calls; some local servers reject ''.
        content: message.content === '' ? null : message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}
