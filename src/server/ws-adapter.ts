import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { ExecutionResult } from 'graphql';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { systemClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { createExpirySchedule } from './ws/expiries.js';

/** graphql-ws awaits each send: a settled promise spares it wrapping `undefined` once per message. */
const SENT = Promise.resolve();
const uncork = (raw: Socket) => raw.uncork();
/**
 * A tick's frames go out in writes of about this size at most: one write is in flight until the
 * kernel took all of it, and counts as buffered meanwhile, so one huge write (10,000 refusals at
 * once) would look like a reader that stopped to the slow-consumer checks.
 */
const COALESCE_MAX_BYTES = 16 * 1024;

/**
 * Frames handed to one socket in one tick leave in one write. Each frame is otherwise a syscall
 * of its own (the largest single cost of a busy stream); under load, tokens queue and several
 * go to a socket at once, so the busier the gateway, the more frames share a write. Uncorked
 * after the current microtasks (process.nextTick), so a lone frame waits for nothing.
 */
function coalesce(raw: Socket): void {
  if (raw.writableCorked > 0) return;
  raw.cork();
  process.nextTick(uncork, raw);
}

/**
 * graphql-ws throws this for a well-formed message of a type a client may not send (`next`,
 * `connection_ack`...): the client broke the protocol (4400), the server did not fail (4500).
 */
const UNEXPECTED_TYPE = /^Unexpected message of type \S+ received$/;

/** graphql-ws's default wait for connection_init, after which the socket closes with 4408. */
const CONNECTION_INIT_WAIT_MS = 3_000;
/** Deadlines share a bucket per this many ms: a burst of sockets costs a few buckets, not a timer each. */
const INIT_BUCKET_MS = 100;

/** ws's error code for a message over maxPayload; it closes the socket with 1009. */
const MESSAGE_TOO_LARGE = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

/** Per socket for as long as it lives: the upgrade request itself (headers and all) is not kept. */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly userAgent: string | undefined;
  /** Writes a frame made elsewhere (one serialization shared by many subscribers), coalesced as graphql-ws's own. */
  sendFrame(data: string): void;
}

/**
 * What an onNext hook answers after it wrote the `next` frame itself with sendFrame: graphql-ws
 * still serializes the (tiny) message it makes of it, and the transport drops that.
 */
export const FRAME_SENT = Object.freeze({ 'frame-sent-by-the-adapter': true }) as unknown as ExecutionResult;
/** How graphql-ws's message of FRAME_SENT ends; no GraphQL result's JSON ends so (its keys are data, errors, extensions). */
const FRAME_SENT_TAIL = `"payload":${JSON.stringify(FRAME_SENT)}}`;

/**
 * graphql-ws's protocol core on a `ws` server: graphql-ws/use/ws with two changes that
 * count when thousands of sockets stream. A frame is handed to the socket without waiting
 * for its write to complete (no promise and callback per frame; a reader that stops is
 * caught by the caller's buffered-bytes checks, not by a stalled loop), and the frames of one
 * tick share a write; and one timer pings every socket instead of one timer per socket.
 */
export function serveGraphQLWs<P extends Record<string, unknown> | undefined>(
  options: ServerOptions<P, SocketExtra>,
  wsServer: WebSocketServer,
  logger: Logger,
  keepAliveMs: number,
  /** Called for each new socket before the protocol starts; false: the hook closed it, the protocol never starts. */
  admit: (socket: WebSocket, request: IncomingMessage) => boolean = () => true,
): { dispose(): Promise<void> } {
  // graphql-ws arms a timer per socket for connection_init and keeps it (and its closure) for the
  // socket's life; here every socket's deadline waits on one timer, and is forgotten at the init.
  const initWaitMs = options.connectionInitWaitTimeout ?? CONNECTION_INIT_WAIT_MS;
  const awaitingInit = createExpirySchedule<Transport>({
    clock: systemClock,
    expire: (transport) => transport.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout'),
  });
  const server = makeServer({
    ...options,
    connectionInitWaitTimeout: 0,
    onConnect: (ctx) => {
      awaitingInit.remove(ctx.extra as Transport, (ctx.extra as Transport).initDue);
      return options.onConnect?.(ctx);
    },
  });
  wsServer.options.handleProtocols = handleProtocols;
  const internalError = (socket: WebSocket, error: unknown, what: string) => {
    logger.error({ err: error }, what);
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  };
  wsServer.once('error', (error) => {
    for (const socket of wsServer.clients) internalError(socket, error, 'WebSocket server error');
  });

  // A socket that has not answered the previous ping by the next one is gone.
  const unanswered = new WeakSet<WebSocket>();
  function answered(this: WebSocket) {
    unanswered.delete(this);
  }
  const keepAlive = setInterval(() => {
    for (const socket of wsServer.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (unanswered.has(socket)) {
        socket.terminate();
        continue;
      }
      unanswered.add(socket);
      socket.ping();
    }
  }, keepAliveMs);
  keepAlive.unref();

  // One listener for every socket (`this` is the socket): a socket's own listeners are what it must close over.
  function failed(this: WebSocket, error: Error) {
    const code = (error as { code?: unknown }).code;
    // ws refused a frame the client sent (too large, bad UTF-8, bad opcode) and is closing with its own code: a client's fault, not ours.
    if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
      logger.warn(
        { code, reason: error.message },
        code === MESSAGE_TOO_LARGE ? 'WebSocket closed: message too large (1009)' : 'WebSocket closed: invalid frame',
      );
      return;
    }
    internalError(this, error, 'WebSocket error');
  }
  // The socket's listeners are shared too, and find its transport here: an open socket holds no closure of them.
  const transports = new WeakMap<WebSocket, Transport>();
  function received(this: WebSocket, data: RawData) {
    const handle = transports.get(this)?.handle;
    handle?.(String(data)).catch((error: unknown) => {
      if (error instanceof Error && UNEXPECTED_TYPE.test(error.message)) this.close(CloseCode.BadRequest, 'Invalid message received');
      else internalError(this, error, 'WebSocket message failed');
    });
  }
  function gone(this: WebSocket, code: number, reason: Buffer) {
    const transport = transports.get(this);
    if (!transport) return;
    transports.delete(this);
    awaitingInit.remove(transport, transport.initDue);
    transport.closed?.(code, String(reason)).catch((error: unknown) => logger.error({ err: error }, 'WebSocket close handling failed'));
  }

  wsServer.on('connection', (socket, request) => {
    socket.on('error', failed);
    socket.on('pong', answered);
    if (!admit(socket, request)) return;
    // The connection ws writes its frames to (the upgraded one); kept, not the request.
    const transport = new Transport(socket, request.socket, received, request.headers['user-agent']);
    transports.set(socket, transport);
    if (initWaitMs > 0 && Number.isFinite(initWaitMs)) {
      transport.initDue = Math.ceil((Date.now() + initWaitMs) / INIT_BUCKET_MS) * INIT_BUCKET_MS;
      awaitingInit.add(transport, transport.initDue);
    }
    transport.closed = server.opened(transport, transport);
    // 'close' comes once: `on` spares the wrapper `once` builds.
    socket.on('close', gone);
  });

  return {
    async dispose() {
      clearInterval(keepAlive);
      for (const socket of wsServer.clients) socket.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** graphql-ws's view of one socket, and the socket's extra: methods on a prototype, not closures per socket. */
class Transport implements SocketExtra {
  readonly protocol: string;
  /** When connection_init is due (epoch ms, rounded up to INIT_BUCKET_MS); 0 when nothing waits for it. */
  initDue = 0;
  /** graphql-ws's handler of the socket's messages, once it listens. */
  handle: ((data: string) => Promise<void>) | undefined;
  /** What graphql-ws runs when the socket closes. */
  closed: ((code?: number, reason?: string) => Promise<void>) | undefined;

  constructor(
    readonly socket: WebSocket,
    /** The connection ws writes the socket's frames to, corked per tick (coalesce). */
    private readonly raw: Socket,
    /** The one 'message' listener every socket shares; it finds `handle` by the socket. */
    private readonly received: (this: WebSocket, data: RawData) => void,
    readonly userAgent: string | undefined,
  ) {
    this.protocol = socket.protocol;
  }

  send(data: string): Promise<void> {
    if (!data.endsWith(FRAME_SENT_TAIL)) this.sendFrame(data);
    return SENT;
  }

  sendFrame(data: string): void {
    const { socket, raw } = this;
    if (socket.readyState !== socket.OPEN) return;
    coalesce(raw);
    socket.send(data);
    if (raw.writableLength >= COALESCE_MAX_BYTES) {
      // Flushes what the tick gathered so far; still corked for the rest of the tick.
      raw.uncork();
      raw.cork();
    }
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.handle = handle;
    this.socket.on('message', this.received);
  }
}
