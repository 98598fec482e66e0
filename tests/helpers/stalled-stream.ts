import { connect, type Socket } from 'node:net';

export type HttpStreamTransport = 'sse' | 'multipart';

export interface StalledStream {
  socket: Socket;
  /** The status line and headers. */
  head: string;
  /** Reads again and resolves with everything the server sent once it ends or drops the connection. */
  resume(): Promise<{ text: string; error: boolean }>;
  /** Resolves once the server closed the connection (read or not). */
  closed: Promise<void>;
}

const ACCEPT = { sse: 'text/event-stream', multipart: 'multipart/mixed;subscriptionSpec="1.0", application/json' };

/**
 * A subscription over HTTP on a raw socket that stops reading as soon as the response's head
 * arrived: what the server writes backs up behind a full TCP receive window.
 */
export function stalledStream(url: string, transport: HttpStreamTransport, token: string, query: string): Promise<StalledStream> {
  const { pathname } = new URL(url);
  return stalledPost(url, transport === 'sse' ? `${pathname}/stream` : pathname, ACCEPT[transport], token, JSON.stringify({ query }));
}

/** Any streaming POST of the gateway's (`path` on the host of `url`) on a raw socket that stops reading once the head arrived. */
export function stalledPost(url: string, path: string, accept: string, token: string, body: string): Promise<StalledStream> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\naccept: ${accept}\r\n` +
      `authorization: Bearer ${token}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  let received = '';
  let error = false;
  socket.on('error', () => (error = true));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const onData = (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      const head = received.slice(0, end);
      if (!head.startsWith('HTTP/1.1 200')) reject(new Error(`refused: ${head}`));
      let text = received.slice(end + 4);
      resolve({
        socket,
        head,
        closed,
        resume: () => {
          socket.on('data', (more: string) => (text += more));
          socket.resume();
          return closed.then(() => ({ text: unchunked(text), error }));
        },
      });
    };
    socket.on('data', onData);
    void closed.then(() => reject(new Error(`closed before the head: ${received}`)));
  });
}

/** The body of a chunked response, as far as it arrived. */
function unchunked(raw: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return body;
    const size = parseInt(raw.slice(at, eol), 16);
    if (!(size > 0)) return body;
    body += raw.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}
