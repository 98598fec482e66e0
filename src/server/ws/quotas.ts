import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import type { Config } from '../../config/config.js';
import { DomainError } from '../../shared/errors.js';
import type { Metrics } from '../../shared/metrics.js';
import type { Caller, RateLimits } from '../../shared/rate-limits.js';
import type { AddressSlots } from '../subscriptions/addresses.js';
import { CLOSE_TOO_MANY_CONNECTIONS } from './close-codes.js';

export interface QuotaOptions {
  config: Pick<Config['ws'], 'maxConnectionsPerUser' | 'maxSubscriptionsPerConnection' | 'maxSubscriptionsPerUser'>;
  /** Shared with the HTTP stream transports: one cap per address across all of them. */
  addresses: AddressSlots;
  rateLimits: Pick<RateLimits, 'check'>;
  metrics: Pick<Metrics, 'wsDisconnected'>;
}

/** The part of a `ws` socket the quotas touch. */
interface Socket {
  close: WebSocket['close'];
  once(event: 'close', listener: () => void): unknown;
}

interface Slot<Op> {
  op: Op;
  userId: string | null;
}

const refuse = (code: string, message: string, extensions: Record<string, unknown> = {}) => [
  new GraphQLError(message, { extensions: { ...extensions, code } }),
];

/**
 * What one instance lets a client hold: a slot of its address (from the upgrade on), sockets per
 * user (from the ack on), open operations per socket and per user, and the `subscribes` rate limit.
 */
export function createQuotas<Op>({ config, addresses: slots, rateLimits, metrics }: QuotaOptions) {
  const addresses = new WeakMap<Socket, string>();
  const userOf = new WeakMap<Socket, string>();
  const socketsPerUser = new Map<string, number>();
  const operations = new Map<Socket, Map<string, Slot<Op>>>();
  const perUser = new Map<string, number>();
  let openOperations = 0;

  const increment = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const decrement = (counts: Map<string, number>, key: string) => {
    const n = (counts.get(key) ?? 1) - 1;
    if (n > 0) counts.set(key, n);
    else counts.delete(key);
  };

  const release = (socket: Socket, id: string): Op | undefined => {
    const open = operations.get(socket);
    const slot = open?.get(id);
    if (!open || !slot) return undefined;
    open.delete(id);
    openOperations--;
    if (slot.userId) decrement(perUser, slot.userId);
    return slot.op;
  };

  return {
    /** At the upgrade: a socket that never sends connection_init still holds a slot until it closes. false: it was closed (4429). */
    admitAddress(socket: Socket, ip: string): boolean {
      const release = slots.take(ip);
      if (!release) {
        metrics.wsDisconnected('too_many_connections');
        socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections from this address');
        return false;
      }
      addresses.set(socket, ip);
      socket.once('close', release);
      return true;
    },

    addressOf(socket: Socket): string | undefined {
      return addresses.get(socket);
    },

    /** At the ack. false: it was closed (4429) first, so graphql-ws's own 4403 finds the socket closing and is dropped. */
    admitUser(socket: Socket, userId: string): boolean {
      if ((socketsPerUser.get(userId) ?? 0) >= config.maxConnectionsPerUser) {
        metrics.wsDisconnected('too_many_connections');
        socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections for this user');
        return false;
      }
      increment(socketsPerUser, userId);
      userOf.set(socket, userId);
      return true;
    },

    /**
     * Takes an operation slot, then checks the rate limit; the errors to answer with when refused.
     * The slot is taken before the first await, so a burst of subscribe messages is checked one by one.
     */
    async claim(socket: Socket, id: string, op: Op, caller: Caller): Promise<GraphQLError[] | undefined> {
      const userId = caller.userId ?? null;
      const open = operations.get(socket) ?? new Map<string, Slot<Op>>();
      if (open.size >= config.maxSubscriptionsPerConnection) {
        return refuse('BAD_REQUEST', `Too many open operations on this connection: at most ${config.maxSubscriptionsPerConnection}; complete one first`);
      }
      if (userId && (perUser.get(userId) ?? 0) >= config.maxSubscriptionsPerUser) {
        return refuse('BAD_REQUEST', `Too many open subscriptions for this user: at most ${config.maxSubscriptionsPerUser}; complete one first`);
      }
      open.set(id, { op, userId });
      operations.set(socket, open);
      openOperations++;
      if (userId) increment(perUser, userId);
      try {
        await rateLimits.check('subscribes', caller);
      } catch (error) {
        release(socket, id);
        if (!(error instanceof DomainError)) throw error;
        return refuse(error.code, error.message, error.extensions);
      }
      return undefined;
    },

    operation(socket: Socket, id: string): Op | undefined {
      return operations.get(socket)?.get(id)?.op;
    },

    release,

    /** Everything the socket held except its address slot, which its own 'close' listener gives back. */
    closed(socket: Socket): void {
      for (const id of [...(operations.get(socket)?.keys() ?? [])]) release(socket, id);
      operations.delete(socket);
      const userId = userOf.get(socket);
      if (userId === undefined) return;
      userOf.delete(socket);
      decrement(socketsPerUser, userId);
    },

    get openOperations(): number {
      return openOperations;
    },
  };
}
