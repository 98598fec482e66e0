import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import { CLOSE_SLOW_CONSUMER } from './close-codes.js';

/** A slow consumer gets this long to take its close frame before the socket is cut. */
export const SLOW_CLOSE_GRACE_MS = 1_000;

/** What the guard needs of a connection: a `ws` WebSocket, or an HTTP stream (http-subscriptions/streams.ts). */
export interface Consumer {
  readonly bufferedAmount: number;
  readonly readyState: number;
  readonly OPEN: number;
  /** Ends it with a last word that says why, behind what is already queued. */
  close(code: number, reason: string): void;
  /** Drops it and whatever it still holds. */
  terminate(): void;
}

export interface SlowConsumerOptions {
  /** Every open connection, for the stall sweep. */
  clients: () => Iterable<Consumer>;
  maxBufferedBytes: number;
  sendStallMs: number;
  logger: Pick<Logger, 'warn'>;
  metrics: Pick<Metrics, 'wsDisconnected'>;
  graceMs?: number;
  now?: () => number;
  /** Names the connection in the log line. */
  kind?: string;
}

/**
 * Closes (1013) a connection whose reader stopped: at once when a send leaves more than
 * maxBufferedBytes queued, or when bytes stay queued for sendStallMs with nothing new sent.
 */
export function createSlowConsumerGuard(options: SlowConsumerOptions) {
  const { maxBufferedBytes, sendStallMs, logger, metrics, graceMs = SLOW_CLOSE_GRACE_MS, now = () => performance.now(), kind = 'WebSocket' } = options;
  const stalledSince = new WeakMap<Consumer, number>();

  const closeSlow = (socket: Consumer) => {
    if (socket.readyState !== socket.OPEN) return;
    logger.warn({ buffered: socket.bufferedAmount }, `closing a ${kind} that stopped reading`);
    metrics.wsDisconnected('slow_consumer');
    socket.close(CLOSE_SLOW_CONSUMER, 'Slow consumer: messages were not read in time');
    // A reader that stopped will not take the close frame either.
    setTimeout(() => socket.terminate(), graceMs).unref();
  };

  // Catches a reader that stopped while nothing new was being sent to it.
  const sweep = setInterval(
    () => {
      const at = now();
      for (const socket of options.clients()) {
        if (socket.bufferedAmount === 0) {
          stalledSince.delete(socket);
          continue;
        }
        const since = stalledSince.get(socket);
        if (since === undefined) stalledSince.set(socket, at);
        if (socket.bufferedAmount > maxBufferedBytes || (since !== undefined && at - since > sendStallMs)) closeSlow(socket);
      }
    },
    Math.min(1_000, sendStallMs / 2),
  );
  sweep.unref();

  return {
    /** After a message was handed to the socket. */
    sent(socket: Consumer): void {
      if (socket.bufferedAmount > maxBufferedBytes) closeSlow(socket);
    },

    dispose(): void {
      clearInterval(sweep);
    },
  };
}
