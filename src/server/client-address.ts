import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { Config } from '../config/config.js';

/** Whether the peer at `hop` (0: the TCP peer) is a proxy whose X-Forwarded-For is believed. */
export type TrustProxy = (address: string, hop: number) => boolean;

/** TRUST_PROXY as express compiles its `trust proxy` setting, so HTTP and WebSocket agree. */
export function trustProxy(setting: Config['trustProxy']): TrustProxy {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting);
}

/** The client's address as express's `req.ip` gives it: the first untrusted hop from the socket back. */
export function clientAddress(request: IncomingMessage, trust: TrustProxy): string | null {
  if (!request.socket.remoteAddress) return null;
  return proxyaddr(request, trust);
}
