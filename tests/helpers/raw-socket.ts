import WebSocket from 'ws';

export interface RawSocket {
  socket: WebSocket;
  /** Messages other than connection_ack, in order. */
  messages: Array<Record<string, any>>;
  /** Resolves on connection_ack. */
  acked: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: Record<string, unknown>): void;
  /** Resolves with the first message for operation `id` that ends it (`error` or `complete`), and what came before. */
  result(id: string): Promise<Array<Record<string, any>>>;
}

/** A graphql-transport-ws socket the test drives frame by frame; `init` (if given) is sent as connection_init's payload. */
export function rawSocket(url: string, options: { init?: Record<string, unknown> | null; headers?: Record<string, string> } = {}): RawSocket {
  const socket = new WebSocket(url, 'graphql-transport-ws', { headers: options.headers });
  socket.on('error', () => {});
  const messages: Array<Record<string, any>> = [];
  const listeners = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const acked = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, any>;
      if (message.type === 'connection_ack') resolve();
      else messages.push(message);
      for (const listener of listeners) listener();
    });
    void closed.then(({ code, reason }) => reject(new Error(`closed with ${code} ${reason} before the ack`)));
  });
  acked.catch(() => {});
  const send = (message: Record<string, unknown>) => socket.send(JSON.stringify(message));
  if (options.init !== undefined) socket.once('open', () => send({ type: 'connection_init', ...(options.init === null ? {} : { payload: options.init }) }));
  return {
    socket,
    messages,
    acked,
    closed,
    send,
    result(id) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const mine = messages.filter((m) => m.id === id);
          if (mine.some((m) => m.type === 'error' || m.type === 'complete')) {
            listeners.delete(check);
            resolve(mine);
          }
        };
        listeners.add(check);
        void closed.then(({ code }) => reject(new Error(`closed with ${code} before operation ${id} ended`)));
        check();
      });
    },
  };
}

/** The error code an operation ended with, or 'ok' when it completed without one. */
export function outcomeOf(frames: Array<Record<string, any>>): string {
  const error = frames.find((m) => m.type === 'error');
  if (error) return String(error.payload?.[0]?.extensions?.code);
  const next = frames.find((m) => m.type === 'next');
  const code = next?.payload?.errors?.[0]?.extensions?.code;
  return code === undefined ? 'ok' : String(code);
}
