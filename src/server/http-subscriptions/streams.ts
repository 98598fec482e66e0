import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Orm } from '../../db/orm.js';
import type { AppDeps } from '../../deps.js';
import { OperationContext } from '../context.js';
import type { ErrorFormatter } from '../../graphql/errors.js';
import type { ClientInfo } from '../../modules/auth/auth.types.js';
import { DomainError, type ErrorCode } from '../../shared/errors.js';
import type { Transport } from '../../shared/metrics.js';
import type { SubscriptionGate, OperationPayload } from '../subscriptions/gate.js';
import { CLOSE_SLOW_CONSUMER, CLOSE_UNAUTHORIZED } from '../ws/close-codes.js';
import { createSlowConsumerGuard, type Consumer } from '../ws/slow-consumers.js';

/** Apollo's multipart part shape, which SSE maps onto its own events: one item, or the error that ended the stream. */
export type Part<T> = { payload: T } | { payload: null; errors: GraphQLFormattedError[] };
export type StreamPart = Part<ExecutionResult<unknown>>;

export interface StreamRequest {
  transport: 'multipart' | 'sse';
  authorization: string | undefined;
  client: ClientInfo;
  payload: OperationPayload;
  /** What the stream is written to: a reader that stops reading is cut by its unsent bytes, as a WebSocket is. */
  response: ServerResponse;
}

/** Refused before it started: answer with this status and these errors. */
export type Refusal = { status: number; errors: GraphQLFormattedError[] };

export type OpenedStream =
  | Refusal
  /** Results until the subscription completes, the session ends, the token expires or the server stops; return() when the client goes. */
  | { parts: AsyncIterableIterator<StreamPart> };

export interface SourceRequest<T> extends Omit<StreamRequest, 'transport' | 'payload'> {
  transport: Transport;
  /** What metrics call the operation. */
  name: string;
  /** Starts the stream for the signed-in caller once it holds a slot; a DomainError refuses it before anything was streamed. */
  start(context: OperationContext): Promise<AsyncIterator<T>>;
}

export type OpenedSource<T> = Refusal | { parts: AsyncIterableIterator<Part<T>> };

type SignedIn = NonNullable<Awaited<ReturnType<SubscriptionGate['auth']['signIn']>>>;

const SHUTTING_DOWN = 1001;
const STREAM_ID = 'http';
const OPEN = 1;
const CLOSED = 3;

/**
 * A stream's connection ends with it: a keep-alive socket (65 s behind a balancer) would outlive
 * a cut slow reader, and a client subscribes again on a new request anyway.
 */
export const STREAM_CONNECTION = { connection: 'close' } as const;

/** One HTTP stream as the shared parts see a socket: close() ends it with a last error part. */
class StreamConnection extends EventEmitter implements Consumer {
  ending: GraphQLFormattedError | undefined;
  readonly OPEN = OPEN;

  constructor(private readonly response: ServerResponse) {
    super();
  }

  get bufferedAmount(): number {
    return this.response.writableLength;
  }

  get readyState(): number {
    return this.ending || this.response.destroyed ? CLOSED : OPEN;
  }

  /** A reader that has not taken its last part within the grace: what it holds is dropped. */
  terminate(): void {
    if (!this.response.writableFinished) this.response.destroy();
  }

  close(code?: number, reason = 'Stream closed'): void {
    if (this.ending) return;
    const errorCode = code === CLOSE_UNAUTHORIZED ? 'UNAUTHENTICATED' : code === SHUTTING_DOWN || code === CLOSE_SLOW_CONSUMER ? 'UNAVAILABLE' : 'BAD_REQUEST';
    this.ending = {
      message: `${reason}: subscribe again${errorCode === 'UNAUTHENTICATED' ? ' with a fresh access token' : ''}`,
      extensions: { code: errorCode },
    };
    this.emit('ending');
  }
}

export interface HttpStreamsOptions {
  deps: AppDeps;
  orm: Orm;
  gate: SubscriptionGate;
  formatError: ErrorFormatter;
}

/**
 * Subscriptions over HTTP (multipart and SSE), one operation per request: the same address cap,
 * sign-in, caps, rate limit, validation, cost limit, session ending and slow-reader cut as over graphql-ws.
 */
export function createHttpStreams({ deps, orm, gate, formatError }: HttpStreamsOptions) {
  const open = new Set<StreamConnection>();
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  const refuse = (status: number, code: string, message: string) => ({ status, errors: [{ message, extensions: { code } }] });
  const slow = createSlowConsumerGuard({
    clients: () => open,
    maxBufferedBytes: deps.config.ws.maxBufferedBytes,
    sendStallMs: deps.config.ws.sendStallMs,
    logger: deps.logger,
    // coach_ws_disconnects_total counts sockets; the log line names the stream.
    metrics: { wsDisconnected: () => {} },
    kind: 'HTTP stream',
  });

  const signInRefused = () => refuse(401, 'UNAUTHENTICATED', 'Streams need a signed-in caller: send "Authorization: Bearer <access token>" (from login)');

  /** The stream is counted and reachable: revocation, token expiry, shutdown and the slow-reader checks end it. Returns its cleanup. */
  const hold = (conn: StreamConnection, signedIn: SignedIn, client: ClientInfo, release: () => void): (() => void) => {
    gate.auth.attach(conn, signedIn, client);
    gate.sessions.add(signedIn.auth.sessionId, conn);
    open.add(conn);
    let cleaned = false;
    return () => {
      if (cleaned) return;
      cleaned = true;
      release();
      gate.quotas.release(conn, STREAM_ID);
      gate.auth.detach(conn);
      gate.sessions.remove(signedIn.auth.sessionId, conn);
      open.delete(conn);
      conn.emit('close');
    };
  };
  const contextOf = (signedIn: SignedIn, client: ClientInfo) => {
    const context = new OperationContext(deps, orm, randomUUID(), client);
    context.auth = signedIn.auth;
    return context;
  };
  const failed = (error: unknown) => format([error instanceof GraphQLError ? error : new GraphQLError('Stream failed', { originalError: error as Error })]);

  const opening = async (conn: StreamConnection, { transport, authorization, client, payload }: StreamRequest, release: () => void): Promise<OpenedStream> => {
    // No subscription is public, as over graphql-ws.
    const signedIn = await gate.auth.signIn({ authorization });
    if (!signedIn) return signInRefused();
    const prepared = await gate.prepare(transport, conn, STREAM_ID, payload, { userId: signedIn.auth.userId, ip: client.ipAddress });
    if (Array.isArray(prepared)) {
      const code = prepared[0]?.extensions.code;
      return { status: code === 'RATE_LIMITED' ? 429 : 400, errors: format(prepared) };
    }
    if (prepared.type !== 'subscription') {
      gate.quotas.release(conn, STREAM_ID);
      return refuse(400, 'BAD_REQUEST', 'Only subscriptions stream here: send queries and mutations to POST /graphql');
    }
    const cleanup = hold(conn, signedIn, client, release);
    let result: Awaited<ReturnType<SubscriptionGate['subscribe']>>;
    try {
      const { type: _type, ...args } = prepared;
      result = await gate.subscribe({ ...args, contextValue: contextOf(signedIn, client) });
    } catch (error) {
      cleanup();
      throw error;
    }
    const op = gate.quotas.operation(conn, STREAM_ID);
    if (op) gate.outcomes.executed(op, result);
    // A subscription refused by its resolver (NOT_FOUND...) is one result, then the end.
    const source = Symbol.asyncIterator in result ? result : once(result);
    // The same object for every subscriber of a shared rendering, so its bytes are made once (subscriptions/frames.ts).
    const render = (r: ExecutionResult): ExecutionResult => gate.frames.wire(r) as ExecutionResult;
    return { parts: endable(source, conn, render, failed, cleanup, () => slow.sent(conn)) };
  };

  const openingSource = async <T>(conn: StreamConnection, request: SourceRequest<T>, release: () => void): Promise<OpenedSource<T>> => {
    const signedIn = await gate.auth.signIn({ authorization: request.authorization });
    if (!signedIn) return signInRefused();
    const op = gate.outcomes.start(request.name, request.transport);
    op.type = 'subscription';
    const denied = await gate.quotas.claim(conn, STREAM_ID, op, { userId: signedIn.auth.userId, ip: request.client.ipAddress });
    if (denied) {
      gate.outcomes.refused(op, denied);
      return { status: denied[0]?.extensions.code === 'RATE_LIMITED' ? 429 : 400, errors: format(denied) };
    }
    const cleanup = hold(conn, signedIn, request.client, release);
    let source: AsyncIterator<T>;
    try {
      source = await request.start(contextOf(signedIn, request.client));
    } catch (error) {
      cleanup();
      if (!(error instanceof DomainError)) throw error;
      const errors = [new GraphQLError(error.message, { originalError: error, extensions: { code: error.code } })];
      gate.outcomes.refused(op, errors);
      return { status: httpStatusOf(error.code), errors: format(errors) };
    }
    gate.outcomes.executed(op, { data: null });
    return {
      parts: endable(
        source,
        conn,
        (item) => item,
        failed,
        cleanup,
        () => slow.sent(conn),
      ),
    };
  };

  /** Counted from the request on, as a WebSocket is from its upgrade: one cap per address across every transport. */
  const withAddress = async <O extends object>(
    request: { client: ClientInfo; response: ServerResponse },
    opened: (conn: StreamConnection, release: () => void) => Promise<O | Refusal>,
  ) => {
    const release = gate.addresses.take(request.client.ipAddress ?? 'unknown');
    if (!release) {
      return refuse(
        429,
        'RATE_LIMITED',
        `Too many connections from this address: at most ${gate.addresses.max} WebSockets and HTTP streams together; close one first`,
      );
    }
    let result: O | Refusal | undefined;
    try {
      result = await opened(new StreamConnection(request.response), release);
    } finally {
      // A refusal (or a failure) holds nothing; an opened stream gives its slot back when it ends.
      if (!result || 'errors' in result) release();
    }
    return result;
  };

  return {
    open(request: StreamRequest): Promise<OpenedStream> {
      return withAddress(request, (conn, release) => opening(conn, request, release));
    },

    /** A stream of the caller's own making (not a GraphQL operation) under the same sign-in, caps, limits and endings. */
    openSource<T>(request: SourceRequest<T>): Promise<OpenedSource<T>> {
      return withAddress(request, (conn, release) => openingSource(conn, request, release));
    },

    /** The bytes of a part's payload, made once for every stream it goes to. */
    frames: gate.frames,

    /** Open streams, for /metrics. */
    get size(): number {
      return open.size;
    },

    /** At shutdown: every stream ends with an UNAVAILABLE part, so clients reconnect elsewhere. */
    dispose(): void {
      slow.dispose();
      for (const conn of open) conn.close(SHUTTING_DOWN, 'The server is shutting down');
    },
  };
}

export type HttpStreams = ReturnType<typeof createHttpStreams>;

/** `source` as parts, ending with one error part when the connection is closed under it. */
function endable<T>(
  source: AsyncIterator<T>,
  conn: StreamConnection,
  render: (item: T) => T,
  failed: (error: unknown) => GraphQLFormattedError[],
  cleanup: () => void,
  /** Asked for the next part: the previous one was written, so its bytes are checked against the cap. */
  sent: () => void,
): AsyncIterableIterator<Part<T>> {
  let finished = false;
  const ended = new Promise<undefined>((resolve) => conn.once('ending', () => resolve(undefined)));
  const finish = async (): Promise<IteratorResult<Part<T>>> => {
    if (!finished) {
      finished = true;
      cleanup();
      // Wakes a next() still waiting on the source.
      conn.emit('ending');
      await source.return?.();
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<Part<T>> = {
    async next() {
      if (finished) return { value: undefined, done: true };
      sent();
      let item: IteratorResult<T> | undefined;
      try {
        item = conn.ending ? undefined : await Promise.race([source.next(), ended]);
      } catch (error) {
        void finish();
        return { value: { payload: null, errors: failed(error) }, done: false };
      }
      if (item && !item.done) return { value: { payload: render(item.value) }, done: false };
      if (item?.done || !conn.ending) return finish();
      const last: Part<T> = { payload: null, errors: [conn.ending] };
      // Not awaited: a source's return() may wait for the next() the race left pending.
      void finish();
      return { value: last, done: false };
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

async function* once(result: ExecutionResult): AsyncGenerator<ExecutionResult> {
  yield result;
}

/** The HTTP status of a refusal with this code, answered before a stream starts. */
function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
    case 'FEATURE_DISABLED':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'RUN_IN_PROGRESS':
    case 'IDEMPOTENCY_KEY_REUSED':
    case 'CONFLICT':
      return 409;
    case 'RATE_LIMITED':
      return 429;
    case 'UNAVAILABLE':
      return 503;
    default:
      return 400;
  }
}
