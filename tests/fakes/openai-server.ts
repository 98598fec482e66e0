import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * A scripted OpenAI-compatible server: each POST /v1/chat/completions consumes the next
 * scripted turn and streams it with real SSE framing and real chunk shapes, so tests
 * exercise the real `openai` client over HTTP.
 */

export interface FakeToolCall {
  id: string;
  name: string;
  /** Raw JSON text, split into `fragments` pieces across chunks. */
  arguments: string;
  fragments?: number;
  /** Defaults to the order of appearance in the turn. */
  index?: number;
}

export type FakeStep =
  /** Streamed word by word (each word with its following whitespace). */
  | { text: string; tokenDelayMs?: number }
  | { reasoning: string; field?: 'reasoning_content' | 'reasoning'; tokenDelayMs?: number }
  | { toolCall: FakeToolCall; tokenDelayMs?: number }
  /** Parallel calls whose fragments are interleaved round-robin: a0 b0 a1 b1 ... */
  | { toolCalls: FakeToolCall[]; tokenDelayMs?: number }
  /** Sent as the last chunk (choices: []), after finish_reason, as OpenAI does. */
  | { usage: { prompt_tokens: number; completion_tokens: number; total_tokens?: number } }
  /** Fails the request with this status before streaming (the rest of the turn is ignored); `headers` such as retry-after. */
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Destroys the socket after this many chunks of the turn (never reaching [DONE]). */
  | { failAfterChunks: number }
  /** Sends nothing for a while. */
  | { stallMs: number }
  /** Sends nothing until this settles (the test's signal to go on). */
  | { until: Promise<unknown> }
  /** Sends a chunk with an `error` object mid-stream, as some servers do. */
  | { streamError: { message: string; type?: string; code?: string } }
  | { finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter' };

export type FakeTurn = FakeStep[] | ((body: ChatRequestBody) => FakeStep[]);

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

export interface SentChunk {
  /** Which POST (0-based, counted since the server started; `reset()` does not restart it) the chunk belongs to. */
  request: number;
  /** Chunk number within that response. */
  index: number;
  /** Epoch milliseconds with sub-millisecond precision. */
  at: number;
  kind: 'role' | 'text' | 'reasoning' | 'tool_call' | 'finish' | 'usage';
}

export interface FakeOpenAi {
  /** Ends with /v1 */
  baseUrl: string;
  /** Bodies of every chat completion request received, in order. */
  requests: ChatRequestBody[];
  /** Authorization headers of those requests. */
  authorizations: Array<string | undefined>;
  sentAt: SentChunk[];
  /** Appends turns; each request consumes one. */
  script(turns: FakeTurn[]): void;
  /** Turns not consumed yet. */
  pending(): number;
  /** Chat completion requests received since the server started. */
  served(): number;
  /** Forgets the script and the recorded requests and chunks. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeOpenAiOptions {
  /** Served when the script is empty; defaults to echoing the last user message. */
  defaultTurn?: FakeTurn;
}

const echoTurn: FakeTurn = (body) => {
  const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
  const said = typeof lastUser?.content === 'string' ? lastUser.content : '';
  return [{ text: `You said: ${said.slice(0, 200)}` }];
};

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const queue: FakeTurn[] = [];
  const requests: ChatRequestBody[] = [];
  const authorizations: Array<string | undefined> = [];
  const sentAt: SentChunk[] = [];
  const sockets = new Set<Socket>();
  let served = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      return json(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }] });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
      return json(res, 404, { error: { message: `No route ${req.method} ${url.pathname}`, type: 'invalid_request_error' } });
    }
    const body = JSON.parse(await readBody(req)) as ChatRequestBody;
    const requestNo = served++;
    requests.push(body);
    authorizations.push(req.headers.authorization);
    const turn = queue.shift() ?? options.defaultTurn ?? echoTurn;
    const steps = typeof turn === 'function' ? turn(body) : turn;

    const failure = steps.find((s): s is Extract<FakeStep, { status: number }> => 'status' in s);
    if (failure) {
      const error = failure.body ?? { error: { message: `scripted failure ${failure.status}`, type: 'server_error', code: null } };
      for (const [name, value] of Object.entries(failure.headers ?? {})) res.setHeader(name, value);
      return json(res, failure.status, error);
    }
    await streamTurn(res, requestNo, body, steps);
  }

  async function streamTurn(res: ServerResponse, requestNo: number, body: ChatRequestBody, steps: FakeStep[]): Promise<void> {
    const id = `chatcmpl-fake-${requestNo}`;
    const created = Math.floor(Date.now() / 1000);
    const failAfter = steps.find((s): s is { failAfterChunks: number } => 'failAfterChunks' in s)?.failAfterChunks;
    let closed = false;
    res.on('close', () => (closed = true));
    let chunkNo = 0;
    let toolIndex = 0;
    let sawToolCall = false;
    let finishReason: string | undefined;
    let usage: { prompt_tokens: number; completion_tokens: number; total_tokens?: number } | undefined;
    let completionPieces = 0;

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });

    /** Returns false once the stream is cut (scripted failure or client gone). */
    const send = (payload: object, kind: SentChunk['kind']): boolean => {
      if (closed) return false;
      const cut = failAfter !== undefined && chunkNo + 1 >= failAfter;
      // A cut waits until the chunk is flushed, so the client really received what came before.
      res.write(`data: ${JSON.stringify(payload)}\n\n`, cut ? () => res.socket?.destroy() : undefined);
      sentAt.push({ request: requestNo, index: chunkNo, at: performance.timeOrigin + performance.now(), kind });
      chunkNo++;
      if (cut) closed = true;
      return !cut;
    };
    const chunk = (delta: object, finish: string | null = null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
    const pause = (ms: number) => (ms > 0 ? wait(ms, () => closed) : Promise.resolve());

    if (failAfter === 0) return void res.socket?.destroy();
    if (!send(chunk({ role: 'assistant', content: '' }), 'role')) return;

    for (const step of steps) {
      if ('text' in step || 'reasoning' in step) {
        const isText = 'text' in step;
        const field = isText ? 'content' : (step.field ?? 'reasoning_content');
        for (const piece of words(isText ? step.text : step.reasoning)) {
          if (!send(chunk({ [field]: piece }), isText ? 'text' : 'reasoning')) return;
          completionPieces++;
          await pause(step.tokenDelayMs ?? 0);
        }
      } else if ('toolCall' in step || 'toolCalls' in step) {
        sawToolCall = true;
        const calls = ('toolCall' in step ? [step.toolCall] : step.toolCalls).map((call) => ({
          call,
          index: call.index ?? toolIndex++,
          pieces: split(call.arguments, call.fragments ?? 3),
        }));
        const rounds = Math.max(...calls.map((c) => c.pieces.length));
        for (let round = 0; round < rounds; round++) {
          for (const { call, index, pieces } of calls) {
            if (round >= pieces.length) continue;
            const fragment =
              round === 0
                ? { index, id: call.id, type: 'function', function: { name: call.name, arguments: pieces[0] } }
                : { index, function: { arguments: pieces[round] } };
            if (!send(chunk({ tool_calls: [fragment] }), 'tool_call')) return;
            completionPieces++;
            await pause(step.tokenDelayMs ?? 0);
          }
        }
      } else if ('usage' in step) {
        usage = step.usage;
      } else if ('stallMs' in step) {
        await pause(step.stallMs);
        if (closed) return;
      } else if ('until' in step) {
        await step.until.catch(() => {});
        if (closed) return;
      } else if ('streamError' in step) {
        if (!send({ error: { type: 'server_error', ...step.streamError } }, 'finish')) return;
        return void res.end();
      } else if ('finishReason' in step) {
        finishReason = step.finishReason;
      }
    }

    if (!send(chunk({}, finishReason ?? (sawToolCall ? 'tool_calls' : 'stop')), 'finish')) return;
    if (body.stream_options?.include_usage) {
      const u = usage ?? { prompt_tokens: promptWords(body), completion_tokens: completionPieces };
      const total = u.total_tokens ?? u.prompt_tokens + u.completion_tokens;
      const last = { id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: { ...u, total_tokens: total } };
      if (!send(last, 'usage')) return;
    }
    if (closed) return;
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    authorizations,
    sentAt,
    script: (turns) => void queue.push(...turns),
    pending: () => queue.length,
    served: () => served,
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      authorizations.length = 0;
      sentAt.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Each word with the whitespace after it, as token streams tend to look. */
function words(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
}

function split(text: string, fragments: number): string[] {
  const n = Math.max(1, Math.min(fragments, text.length || 1));
  const size = Math.ceil(text.length / n);
  const pieces: string[] = [];
  for (let i = 0; i < n; i++) pieces.push(text.slice(i * size, (i + 1) * size));
  return pieces.filter((p, i) => p !== '' || i === 0);
}

function promptWords(body: ChatRequestBody): number {
  return body.messages.reduce((sum, m) => sum + (typeof m.content === 'string' ? (m.content.match(/\S+/g)?.length ?? 0) : 0), 0);
}

/** Sleeps in short slices so a closed connection ends the wait early. */
async function wait(ms: number, stop: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!stop() && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(10, end - Date.now())));
  }
}
