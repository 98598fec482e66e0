import type { GraphQLSchema } from 'graphql';
import type { WebSocketServer } from 'ws';
import type { Orm } from '../../db/orm.js';
import { OperationContext } from '../context.js';
import type { ErrorFormatter } from '../../graphql/errors.js';
import type { AppDeps } from '../../deps.js';
import { clientAddress, type TrustProxy } from '../client-address.js';
import { FRAME_SENT, serveGraphQLWs } from '../ws-adapter.js';
import type { SubscriptionGate } from '../subscriptions/gate.js';
import { createSlowConsumerGuard } from './slow-consumers.js';

export { CLOSE_FORBIDDEN, CLOSE_SLOW_CONSUMER, CLOSE_TOO_MANY_CONNECTIONS, CLOSE_UNAUTHORIZED } from './close-codes.js';
export type { SessionAuthority } from './auth.js';

const NO_CLIENT = { ipAddress: null, userAgent: null };

export interface WebSocketStats {
  connections(): number;
  subscriptions(): number;
}

export interface WebSocketServerOptions {
  deps: AppDeps;
  orm: Orm;
  schema: GraphQLSchema;
  formatError: ErrorFormatter;
  trust: TrustProxy;
  /** Shared with the HTTP subscription transports. */
  gate: SubscriptionGate;
}

/**
 * graphql-transport-ws on the same port and path as HTTP. connection_init must carry a valid
 * token (no subscription is public); the socket closes when that token expires, and sockets of
 * a revoked or expired session are closed within seconds. Each concern is a part of its own
 * in this folder; this file only wires them into graphql-ws's hooks.
 */
export function attachWebSocketServer(
  wsServer: WebSocketServer,
  { deps, orm, schema, formatError, trust, gate }: WebSocketServerOptions,
): { stats: WebSocketStats; dispose(): Promise<void> } {
  const { config, metrics, logger } = deps;
  const { auth, quotas, outcomes, sessions, subscribe } = gate;
  const slow = createSlowConsumerGuard({
    clients: () => wsServer.clients,
    maxBufferedBytes: config.ws.maxBufferedBytes,
    sendStallMs: config.ws.sendStallMs,
    logger,
    metrics,
  });

  const serverCleanup = serveGraphQLWs<Record<string, unknown> | undefined>(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket, userAgent } = ctx.extra;
        const client = { ipAddress: quotas.addressOf(socket) ?? null, userAgent: userAgent?.slice(0, 500) ?? null };
        // No subscription is public: a socket without a valid token is refused (4403), one with an expired token 4401.
        const signedIn = await auth.signInOrExpired(ctx.connectionParams);
        // graphql-ws keeps connection_init's payload for the socket's life: the token in it is not needed once checked.
        (ctx as { connectionParams?: unknown }).connectionParams = undefined;
        if (signedIn === 'expired' && socket.readyState === socket.OPEN) auth.expire(socket);
        if (!signedIn || signedIn === 'expired' || socket.readyState !== socket.OPEN) return false;
        if (!quotas.admitUser(socket, signedIn.auth.userId)) return false;
        auth.attach(socket, signedIn, client);
        sessions.add(signedIn.auth.sessionId, socket);
        return true;
      },
      onClose: (ctx) => {
        const socket = ctx.extra.socket;
        quotas.closed(socket);
        const state = auth.detach(socket);
        if (state) sessions.remove(state.auth.sessionId, socket);
      },
      // Nothing built until a resolver asks: an open subscription holds its caller, not a fork.
      context: (ctx) => {
        const state = auth.of(ctx.extra.socket);
        const context = new OperationContext(deps, orm, undefined, state?.client ?? NO_CLIENT);
        context.auth = state?.auth ?? null;
        return context;
      },
      subscribe,
      onSubscribe: async (ctx, id, payload) => {
        const socket = ctx.extra.socket;
        const state = auth.of(socket);
        const prepared = await gate.prepare('ws', socket, id, payload, { userId: state?.auth.userId ?? null, ip: state?.client.ipAddress });
        if (Array.isArray(prepared)) return prepared;
        // graphql-ws keeps the subscribe message for the operation's life: its query becomes the cached document's text, one string for all who send it.
        const text = prepared.document.loc?.source.body;
        if (text !== undefined && payload.query === text) (payload as { query: string }).query = text;
        return { schema: prepared.schema, document: prepared.document, operationName: prepared.operationName, variableValues: prepared.variableValues };
      },
      onOperation: (ctx, id, _payload, _args, result) => {
        const op = quotas.operation(ctx.extra.socket, id);
        if (op) outcomes.executed(op, result);
      },
      onComplete: (ctx, id) => {
        quotas.release(ctx.extra.socket, id);
      },
      // The frame's payload is serialized once per rendering, for every subscriber sharing it (subscriptions/frames.ts).
      onNext: (ctx, id, _payload, _args, result) => {
        ctx.extra.sendFrame(gate.frames.ws(id, result));
        slow.sent(ctx.extra.socket);
        return FRAME_SENT;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wsServer,
    logger,
    config.ws.keepAliveMs,
    (socket, request) => quotas.admitAddress(socket, clientAddress(request, trust) ?? 'unknown'),
  );

  return {
    stats: {
      connections: () => wsServer.clients.size,
      subscriptions: () => quotas.openOperations,
    },
    async dispose() {
      slow.dispose();
      await serverCleanup.dispose();
    },
  };
}
