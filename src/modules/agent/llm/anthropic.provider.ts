import { failureOfStatus, retryAfterMs } from './failure.rules.js';
import { toAnthropicMessages, type AnthropicMessage } from './anthropic.messages.js';
import { readSse } from './sse.js';
import { StreamGuard } from './stream-guard.js';
import { ProviderError, type LlmProvider, type ProviderEvent, type ProviderRequest, type TokenUsage } from './provider.js';

export interface AnthropicProviderOptions {
  name?: string;
  /** e.g. https://api.anthropic.com (the provider appends /v1/messages) */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** No event (or no response) for this long ends the turn with TIMEOUT. */
  timeoutMs: number;
  maxTokens?: number;
}

const API_VERSION = '2023-06-01';

type StreamEvent =
  | { type: 'message_start'; message: { usage?: { input_tokens?: number; output_tokens?: number } } }
  | { type: 'content_block_start'; index: number; content_block: { type: string; id?: string; name?: string } }
  | { type: 'content_block_delta'; index: number; delta: { type: string; text?: string; thinking?: string; partial_json?: string } }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; usage?: { output_tokens?: number } }
  | { type: 'message_stop' | 'ping' }
  | { type: 'error'; error: { type: string; message: string } };

/**
 * The Messages API of Anthropic and compatible servers, over plain HTTP (fetch and SSE):
 * text, thinking blocks as reasoning, tool use assembled from input_json_delta. One try
 * per call: the chain retries.
 */
export class AnthropicProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  private readonly url: string;

  constructor(private readonly options: AnthropicProviderOptions) {
    this.name = options.name ?? 'anthropic';
    this.model = options.model;
    this.url = `${options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/messages`;
  }

  async *stream(request: ProviderRequest): AsyncGenerator<ProviderEvent> {
    const guard = new StreamGuard(request.signal, this.options.timeoutMs);
    let yielded = false;
    try {
      guard.waiting();
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': this.options.apiKey, 'anthropic-version': API_VERSION },
        body: JSON.stringify(this.body(request)),
        signal: guard.http.signal,
      });
      if (!response.ok) throw await httpError(response);
      const blocks = new Map<number, { type: string; id: string; name: string; json: string }>();
      const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
      for await (const data of readSse(response.body!)) {
        guard.arrived();
        const event = JSON.parse(data) as StreamEvent;
        for (const out of this.translate(event, blocks, usage)) {
          yielded = true;
          yield out;
        }
        guard.waiting();
      }
      guard.arrived();
      const stopped = guard.interrupted(yielded);
      if (stopped) throw stopped;
      usage.totalTokens = usage.promptTokens + usage.completionTokens;
      yield { type: 'usage', usage };
    } catch (caught) {
      throw guard.interrupted(yielded) ?? toProviderError(caught, yielded);
    } finally {
      guard.close();
    }
  }

  private body(request: ProviderRequest): Record<string, unknown> {
    const { system, messages } = toAnthropicMessages(request.messages);
    return {
      model: this.model,
      max_tokens: this.options.maxTokens ?? 4096,
      ...(system ? { system } : {}),
      messages: messages satisfies AnthropicMessage[],
      ...(request.tools.length > 0 ? { tools: request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })) } : {}),
      stream: true,
    };
  }

  private *translate(
    event: StreamEvent,
    blocks: Map<number, { type: string; id: string; name: string; json: string }>,
    usage: TokenUsage,
  ): Generator<ProviderEvent> {
    switch (event.type) {
      case 'message_start':
        usage.promptTokens = event.message.usage?.input_tokens ?? 0;
        usage.completionTokens = event.message.usage?.output_tokens ?? 0;
        return;
      case 'content_block_start':
        blocks.set(event.index, { type: event.content_block.type, id: event.content_block.id ?? '', name: event.content_block.name ?? '', json: '' });
        return;
      case 'content_block_delta': {
        const { delta } = event;
        if (delta.type === 'text_delta' && delta.text) yield { type: 'text', delta: delta.text };
        else if (delta.type === 'thinking_delta' && delta.thinking) yield { type: 'reasoning', delta: delta.thinking };
        else if (delta.type === 'input_json_delta' && delta.partial_json) {
          const block = blocks.get(event.index);
          if (block) block.json += delta.partial_json;
        }
        return;
      }
      case 'content_block_stop': {
        const block = blocks.get(event.index);
        blocks.delete(event.index);
        if (block?.type === 'tool_use') {
          yield {
            type: 'tool_call',
            call: { id: block.id || `call_${event.index}`, name: block.name, arguments: block.json.trim() === '' ? '{}' : block.json },
          };
        }
        return;
      }
      case 'message_delta':
        if (event.usage?.output_tokens !== undefined) usage.completionTokens = event.usage.output_tokens;
        return;
      case 'error':
        throw new StreamError(event.error.type, event.error.message);
      default:
        return;
    }
  }
}

/** An `error` event inside the stream (overloaded_error, api_error, ...). */
class StreamError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`${type}: ${message}`);
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}: ${message}`);
  }
}

async function httpError(response: Response): Promise<HttpError> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 500);
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // not JSON: the text itself
  }
  return new HttpError(response.status, message, retryAfterMs(response.headers));
}

function toProviderError(caught: unknown, afterOutput: boolean): ProviderError {
  if (caught instanceof ProviderError) return caught;
  const when = afterOutput ? 'while streaming' : 'before answering';
  const message = caught instanceof Error ? caught.message : String(caught);
  const failure =
    caught instanceof HttpError
      ? failureOfStatus(caught.status, caught.message)
      : caught instanceof StreamError && caught.type === 'rate_limit_error'
        ? 'RATE_LIMITED'
        : // A refused or cut connection, or an overloaded or failed stream.
          'UNAVAILABLE';
  return new ProviderError('PROVIDER_ERROR', `The model server failed ${when} (${message})`, afterOutput, {
    cause: caught,
    failure,
    retryAfterMs: caught instanceof HttpError ? caught.retryAfterMs : undefined,
  });
}
