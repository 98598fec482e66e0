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
}

/** From the upgrade on, its address slot is given back when it closes. */
interface UpgradedSocket extends Socket {
  on(event: 'close', listener: (this: Socket) => void): unknown;
}

interface Slot<Op> {
  id: string;
  op: Op;
  userId: string | null;
}

/**
 * What one connection holds, as one record: its address, its user (from the ack on) and its open
 * operations, the one of most connections as it is, a Map only once it has more.
 */
interface Held<Op> {
  ip: string | undefined;
  userId: string | undefined;
  ops: Slot<Op> | Map<string, Slot<Op>> | undefined;
}

const refuse = (code: string, message: string, extensions: Record<string, unknown> = {}) => [
  new GraphQLError(message, { extensions: { ...extensions, code } }),
];

const slotOf = <Op>(held: Held<Op> | undefined, id: string): Slot<Op> | undefined => {
  const ops = held?.ops;
  return ops instanceof Map ? ops.get(id) : ops?.id === id ? ops : undefined;
};

const countOf = (ops: Held<unknown>['ops']): number => (ops instanceof Map ? ops.size : ops ? 1 : 0);

/**
 * What one instance lets a client hold: a slot of its address (from the upgrade on), sockets per
 * user (from the ack on), open operations per socket and per user, and the `subscribes` rate limit.
 */
export function createQuotas<Op>({ config, addresses: slots, rateLimits, metrics }: QuotaOptions) {
  // Weak: an HTTP stream's connection is never `closed` here, only its operation released.
  const connections = new WeakMap<Socket, Held<Op>>();
  const socketsPerUser = new Map<string, number>();
  const perUser = new Map<string, number>();
  let openOperations = 0;

  const heldBy = (socket: Socket): Held<Op> => {
    let held = connections.get(socket);
    if (!held) connections.set(socket, (held = { ip: undefined, userId: undefined, ops: undefined }));
    return held;
  };

  // One listener for every socket (`this` is the socket): an open socket holds no closure for its address slot.
  function addressReleased(this: Socket): void {
    const held = connections.get(this);
    const ip = held?.ip;
    if (ip === undefined) return;
    held!.ip = undefined;
    slots.give(ip);
  }

  const increment = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const decrement = (counts: Map<string, number>, key: string) => {
    const n = (counts.get(key) ?? 1) - 1;
    if (n > 0) counts.set(key, n);
    else counts.delete(key);
  };

  const release = (socket: Socket, id: string): Op | undefined => {
    const held = connections.get(socket);
    const slot = slotOf(held, id);
    if (!held || !slot) return undefined;
    // The slot is in it: a Map of one becomes nothing, as a lone slot does.
    if (held.ops instanceof Map && held.ops.size > 1) held.ops.delete(id);
    else held.ops = undefined;
    openOperations--;
    if (slot.userId) decrement(perUser, slot.userId);
    return slot.op;
  };

  return {
    /** At the upgrade: a socket that never sends connection_init still holds a slot until it closes. false: it was closed (4429). */
    admitAddress(socket: UpgradedSocket, ip: string): boolean {
      if (!slots.claim(ip)) {
        metrics.wsDisconnected('too_many_connections');
        socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections from this address');
        return false;
      }
      heldBy(socket).ip = ip;
      socket.on('close', addressReleased);
      return true;
    },

    addressOf(socket: Socket): string | undefined {
      return connections.get(socket)?.ip;
    },

    /** At the ack. false: it was closed (4429) first, so graphql-ws's own 4403 finds the socket closing and is dropped. */
    admitUser(socket: Socket, userId: string): boolean {
      if ((socketsPerUser.get(userId) ?? 0) >= config.maxConnectionsPerUser) {
        metrics.wsDisconnected('too_many_connections');
        socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections for this user');
        return false;
      }
      increment(socketsPerUser, userId);
      heldBy(socket).userId = userId;
      return true;
    },

    /**
     * Takes an operation slot, then checks the rate limit; the errors to answer with when refused.
     * The slot is taken before the first await, so a burst of subscribe messages is checked one by one.
     */
    async claim(socket: Socket, id: string, op: Op, caller: Caller): Promise<GraphQLError[] | undefined> {
      const userId = caller.userId ?? null;
      const held = heldBy(socket);
      if (countOf(held.ops) >= config.maxSubscriptionsPerConnection) {
        return refuse('BAD_REQUEST', `Too many open operations on this connection: at most ${config.maxSubscriptionsPerConnection}; complete one first`);
      }
      if (userId && (perUser.get(userId) ?? 0) >= config.maxSubscriptionsPerUser) {
        return refuse('BAD_REQUEST', `Too many open subscriptions for this user: at most ${config.maxSubscriptionsPerUser}; complete one first`);
      }
      const slot = { id, op, userId };
      const ops = held.ops;
      if (ops === undefined) held.ops = slot;
      else if (ops instanceof Map) ops.set(id, slot);
      else
        held.ops = new Map([
          [ops.id, ops],
          [id, slot],
        ]);
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
      return slotOf(connections.get(socket), id)?.op;
    },

    release,

    /** Everything the socket held except its address slot, which its own 'close' listener gives back. */
    closed(socket: Socket): void {
      const held = connections.get(socket);
      if (!held) return;
      const ops = held.ops;
      if (ops instanceof Map) for (const id of [...ops.keys()]) release(socket, id);
      else if (ops) release(socket, ops.id);
      const userId = held.userId;
      if (userId === undefined) return;
      held.userId = undefined;
      decrement(socketsPerUser, userId);
    },

    get openOperations(): number {
      return openOperations;
    },
  };
}
