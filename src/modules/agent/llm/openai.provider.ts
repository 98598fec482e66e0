import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import {
  ProviderError,
  abortableDelay,
  type ChatMessage,
  type LlmProvider,
  type ProviderEvent,
  type ProviderRequest,
  type TokenUsage,
  type ToolCallRequest,
  type ToolDefinition,
} from './provider.js';

export interface OpenAiProviderOptions {
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama) */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** No chunk (or no response) for this long ends the turn with TIMEOUT. */
  timeoutMs: number;
  /** Retries of a turn that failed before yielding anything (429, 5xx, connection errors). */
  maxRetries: number;
  /** First backoff delay; doubles per attempt, plus up to as much again of jitter. */
  retryBaseMs?: number;
}

const MAX_BACKOFF_MS = 30_000;

/** Chat completions over any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio, llama.cpp). */
export class OpenAiProvider implements LlmProvider {
  readonly name = 'openai';
  readonly model: string;
  private readonly client: OpenAI;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;

  constructor(options: OpenAiProviderOptions) {
    this.model = options.model;
    this.timeoutMs = options.timeoutMs;
    this.maxRetries = Math.max(0, options.maxRetries);
    this.retryBaseMs = options.retryBaseMs ?? 500;
    // Retries and timeouts are ours: the SDK cannot tell whether output already reached the user.
    // Its own timeout only backs ours up (it covers the wait for response headers only).
    this.client = new OpenAI({ baseURL: options.baseUrl, apiKey: options.apiKey, maxRetries: 0, timeout: options.timeoutMs * 2 });
  }

  async *stream(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
    let yielded = false;
    for (let attempt = 0; ; attempt++) {
      try {
        for await (const event of this.attempt(request, () => yielded)) {
          yielded = true;
          yield event;
        }
        return;
      } catch (caught) {
        const error = this.toProviderError(caught, yielded);
        if (yielded || attempt >= this.maxRetries || !isRetryable(caught)) throw error;
        await abortableDelay(this.backoffMs(attempt, caught), request.signal, false);
      }
    }
  }

  private async *attempt(request: ProviderRequest, yielded: () => boolean): AsyncGenerator<ProviderEvent> {
    const { signal } = request;
    if (signal.aborted) throw new ProviderError('CANCELLED', 'The run was cancelled', false);
    const http = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        http.abort();
      }, this.timeoutMs);
    };
    const onAbort = () => http.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const interrupted = () =>
      timedOut
        ? new ProviderError('TIMEOUT', `The model sent nothing for ${this.timeoutMs} ms`, yielded())
        : signal.aborted
          ? new ProviderError('CANCELLED', 'The run was cancelled', yielded())
          : undefined;

    try {
      idle();
      const stream = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: request.messages.map(toOpenAiMessage),
          ...(request.tools.length > 0 ? { tools: request.tools.map(toOpenAiTool) } : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: http.signal },
      );
      const calls = new ToolCallAssembler();
      let usage: TokenUsage | undefined;
      // The SDK ends the iteration quietly on abort; `interrupted()` tells why it ended.
      for await (const chunk of stream) {
        // The clock runs only while waiting for the server, not while the consumer handles events.
        clearTimeout(timer);
        if (chunk.usage) usage = toUsage(chunk.usage);
        const choice = chunk.choices?.[0];
        if (!choice) {
          idle();
          continue;
        }
        const delta = (choice.delta ?? {}) as ChatCompletionChunk.Choice.Delta & Record<string, unknown>;
        const reasoning = reasoningOf(delta);
        if (reasoning) yield { type: 'reasoning', delta: reasoning };
        if (typeof delta.content === 'string' && delta.content !== '') yield { type: 'text', delta: delta.content };
        if (delta.tool_calls) calls.add(delta.tool_calls);
        if (choice.finish_reason) for (const call of calls.finish()) yield { type: 'tool_call', call };
        idle();
      }
      clearTimeout(timer);
      const stopped = interrupted();
      if (stopped) throw stopped;
      for (const call of calls.finish()) yield { type: 'tool_call', call };
      if (usage) yield { type: 'usage', usage };
    } catch (caught) {
      throw interrupted() ?? caught;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // Also covers a consumer that stops iterating early: the HTTP stream must not linger.
      http.abort();
    }
  }

  private toProviderError(caught: unknown, afterOutput: boolean): ProviderError {
    if (caught instanceof ProviderError) return caught;
    if (caught instanceof APIUserAbortError) return new ProviderError('CANCELLED', 'The run was cancelled', afterOutput);
    const detail =
      caught instanceof APIError && caught.status !== undefined
        ? `HTTP ${caught.status}: ${caught.message}`
        : caught instanceof Error
          ? caught.message
          : String(caught);
    const when = afterOutput ? 'while streaming' : 'before answering';
    return new ProviderError('PROVIDER_ERROR', `The model server failed ${when} (${detail})`, afterOutput, { cause: caught });
  }

  private backoffMs(attempt: number, caught: unknown): number {
    const exponential = this.retryBaseMs * 2 ** attempt;
    const jittered = exponential + Math.random() * exponential;
    const hinted = caught instanceof APIError ? retryAfterMs(caught.headers) : undefined;
    return Math.min(MAX_BACKOFF_MS, Math.max(jittered, hinted ?? 0));
  }
}

/** 429, 5xx and connection failures (including a stream cut before any output) are worth another try. */
function isRetryable(caught: unknown): boolean {
  if (caught instanceof ProviderError || caught instanceof APIUserAbortError) return false;
  if (caught instanceof APIConnectionError) return true;
  if (caught instanceof APIError) return caught.status === 429 || (caught.status !== undefined && caught.status >= 500);
  return isNetworkFailure(caught);
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** undici reports a body cut mid-stream as TypeError('terminated'), with the socket error as its cause. */
function isNetworkFailure(caught: unknown): boolean {
  if (!(caught instanceof Error)) return false;
  if (caught instanceof TypeError && caught.message === 'terminated') return true;
  const code = (caught as { code?: unknown }).code ?? (caught.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers?.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
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
