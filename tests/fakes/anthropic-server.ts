import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { json, readBody } from './openai-server.js';

/**
 * A scripted Anthropic-compatible server: each POST /v1/messages consumes the next scripted
 * turn and streams it as the Messages API does (message_start, content blocks with text,
 * thinking and input_json deltas, message_delta, message_stop), with real SSE framing.
 */

export type AnthropicStep =
  /** One text block, streamed word by word. */
  | { text: string }
  /** One thinking block, streamed word by word. */
  | { thinking: string }
  /** One tool_use block; `input` is JSON text sent in `fragments` input_json_delta pieces. */
  | { toolUse: { id: string; name: string; input: string; fragments?: number } }
  /** Fails the request with this status before streaming (429 with retry-after, 529 overloaded, ...). */
  | { status: number; errorType?: string; message?: string; retryAfterSec?: number }
  /** Destroys the socket after this many SSE events of the turn. */
  | { cutAfterEvents: number }
  | { usage: { input_tokens: number; output_tokens: number } };

export interface MessagesRequestBody {
  model: string;
  system?: string;
  messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
  tools?: Array<{ name: string; description: string; input_schema: unknown }>;
  stream?: boolean;
  max_tokens: number;
}

export interface FakeAnthropic {
  /** Without /v1: the provider appends /v1/messages. */
  baseUrl: string;
  requests: MessagesRequestBody[];
  headers: Array<Record<string, string | string[] | undefined>>;
  script(turns: AnthropicStep[][]): void;
  pending(): number;
  reset(): void;
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const queue: AnthropicStep[][] = [];
  const requests: MessagesRequestBody[] = [];
  const headers: FakeAnthropic['headers'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/v1/messages') return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'no route' } });
    const body = JSON.parse(await readBody(req)) as MessagesRequestBody;
    requests.push(body);
    headers.push(req.headers);
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const said = lastUser?.content.find((b) => b.type === 'text')?.text;
    const steps = queue.shift() ?? [{ text: `You said: ${String(said ?? '')}` }];
    const failure = steps.find((s): s is Extract<AnthropicStep, { status: number }> => 'status' in s);
    if (failure) {
      const type = failure.errorType ?? ERROR_TYPES[failure.status] ?? 'api_error';
      if (failure.retryAfterSec !== undefined) res.setHeader('retry-after', String(failure.retryAfterSec));
      return json(res, failure.status, { type: 'error', error: { type, message: failure.message ?? `scripted ${type}` } });
    }
    stream(res, body, steps);
  }

  function stream(res: ServerResponse, body: MessagesRequestBody, steps: AnthropicStep[]): void {
    const cutAfter = steps.find((s): s is { cutAfterEvents: number } => 'cutAfterEvents' in s)?.cutAfterEvents;
    const usage = steps.find((s): s is Extract<AnthropicStep, { usage: unknown }> => 'usage' in s)?.usage ?? { input_tokens: 10, output_tokens: 5 };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let sent = 0;
    let cut = false;
    const send = (event: string, data: object) => {
      if (cut) return;
      const last = cutAfter !== undefined && sent + 1 >= cutAfter;
      res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`, last ? () => res.socket?.destroy() : undefined);
      sent++;
      if (last) cut = true;
    };
    if (cutAfter === 0) return void res.socket?.destroy();
    send('message_start', {
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
      },
    });
    let index = 0;
    let toolUse = false;
    for (const step of steps) {
      if ('text' in step || 'thinking' in step) {
        const isText = 'text' in step;
        send('content_block_start', { index, content_block: isText ? { type: 'text', text: '' } : { type: 'thinking', thinking: '' } });
        for (const piece of (isText ? step.text : step.thinking).match(/\s*\S+\s*/g) ?? []) {
          send('content_block_delta', { index, delta: isText ? { type: 'text_delta', text: piece } : { type: 'thinking_delta', thinking: piece } });
        }
        if (!isText) send('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'sig' } });
        send('content_block_stop', { index });
        index++;
      } else if ('toolUse' in step) {
        toolUse = true;
        const { id, name, input, fragments = 3 } = step.toolUse;
        send('content_block_start', { index, content_block: { type: 'tool_use', id, name, input: {} } });
        const size = Math.ceil(input.length / fragments) || 1;
        for (let at = 0; at < input.length; at += size) {
          send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: input.slice(at, at + size) } });
        }
        send('content_block_stop', { index });
        index++;
      }
    }
    send('message_delta', { delta: { stop_reason: toolUse ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    send('message_stop', {});
    if (!cut) res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    headers,
    script: (turns) => void queue.push(...turns),
    pending: () => queue.length,
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      headers.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
