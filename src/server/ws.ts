import { randomUUID } from 'node:crypto';
import { GraphQLError, getOperationAST, getVariableValues, type DocumentNode, type ExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Orm } from '../db/orm.js';
import { OperationContext } from '../graphql/context.js';
import { clientCode, type ErrorFormatter } from '../graphql/errors.js';
import { costError } from '../graphql/cost.js';
import { validateOperation } from '../graphql/limits.js';
import type { AuthInfo } from '../modules/auth/auth.types.js';
import { accessTokenExpiresAt, bearerToken } from '../modules/auth/tokens.js';
import { Topic } from '../pubsub/topics.js';
import type { AppDeps } from '../deps.js';
import { createServices } from '../services.js';
import { DomainError } from '../shared/errors.js';
import { clientAddress, type TrustProxy } from './client-address.js';
import { serveGraphQLWs } from './ws-adapter.js';
import { sharedRenderingSubscribe } from './ws-events.js';

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
/** Over WS_MAX_CONNECTIONS_PER_IP or _PER_USER; graphql-ws clients do not retry it. */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
/** A consumer that stopped reading: "Try Again Later", which graphql-ws clients retry. */
export const CLOSE_SLOW_CONSUMER = 1013;
const SESSION_SWEEP_MS = 3_000;
/** A slow consumer gets this long to take its close frame before the socket is cut. */
const SLOW_CLOSE_GRACE_MS = 1_000;
/** Validated documents kept by query text: clients send the same few operations over and over. */
const DOCUMENTS_KEPT = 500;
const DOCUMENT_KEPT_MAX_CHARS = 20_000;
const NO_CLIENT = { ipAddress: null, userAgent: null };
/** graphql-ws awaits every hook: a settled promise spares it wrapping `undefined` once per message. */
const SETTLED = Promise.resolve(undefined);

interface SocketState {
  auth: AuthInfo;
  client: { ipAddress: string | null; userAgent: string | null };
  /** Closes the socket (4401) when its access token expires. */
  expiry: NodeJS.Timeout;
}

interface OpenOperation {
  started: number;
  type: string;
  name: string | null;
}

export interface WebSocketStats {
  connections(): number;
  subscriptions(): number;
}

/**
 * graphql-transport-ws on the same port and path as HTTP. connection_init must carry a valid
 * token (no subscription is public); the socket closes when that token expires, and sockets of
 * a revoked or expired session are closed within seconds.
 */
export function attachWebSocketServer(
  wsServer: WebSocketServer,
  deps: AppDeps,
  orm: Orm,
  schema: GraphQLSchema,
  formatError: ErrorFormatter,
  rules: ValidationRule[],
  trust: TrustProxy,
): { stats: WebSocketStats; dispose(): Promise<void> } {
  const { config, metrics } = deps;
  const states = new WeakMap<WebSocket, SocketState>();
  const bySession = new Map<string, Set<WebSocket>>();
  // Open operations per socket, and per user across this instance's sockets.
  const operations = new Map<WebSocket, Map<string, OpenOperation>>();
  const perUser = new Map<string, number>();
  // Open sockets per client address (from the upgrade on) and per signed-in user (from the ack on).
  const addresses = new WeakMap<WebSocket, string>();
  const socketsPerIp = new Map<string, number>();
  const socketsPerUser = new Map<string, number>();
  const decrement = (counts: Map<string, number>, key: string) => {
    const n = (counts.get(key) ?? 1) - 1;
    if (n > 0) counts.set(key, n);
    else counts.delete(key);
  };
  let openOperations = 0;
  const stalledSince = new WeakMap<WebSocket, number>();

  const refuse = (code: string, message: string, extensions: Record<string, unknown> = {}) => [
    new GraphQLError(message, { extensions: { ...extensions, code } }),
  ];
  const record = (op: OpenOperation, outcome: string) =>
    metrics.operation({ transport: 'ws', type: op.type, name: op.name, outcome, seconds: (performance.now() - op.started) / 1000 });
  const release = (socket: WebSocket, id: string): OpenOperation | undefined => {
    const open = operations.get(socket);
    const op = open?.get(id);
    if (!open || !op) return undefined;
    open.delete(id);
    openOperations--;
    const userId = states.get(socket)?.auth?.userId;
    if (userId) {
      const n = (perUser.get(userId) ?? 1) - 1;
      if (n > 0) perUser.set(userId, n);
      else perUser.delete(userId);
    }
    return op;
  };
  const closeSlow = (socket: WebSocket) => {
    if (socket.readyState !== socket.OPEN) return;
    deps.logger.warn({ buffered: socket.bufferedAmount }, 'closing a WebSocket that stopped reading');
    metrics.wsDisconnected('slow_consumer');
    socket.close(CLOSE_SLOW_CONSUMER, 'Slow consumer: messages were not read in time');
    // A reader that stopped will not take the close frame either.
    setTimeout(() => socket.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  };

  const closeSession = (sessionId: string, reason: string) => {
    for (const socket of bySession.get(sessionId) ?? []) socket.close(CLOSE_UNAUTHORIZED, reason);
    bySession.delete(sessionId);
  };

  // One parsed and validated document per distinct query, shared by every operation sending it.
  const documents = new Map<string, DocumentNode>();
  const validated = (query: unknown): DocumentNode | GraphQLError[] => {
    const kept = typeof query === 'string' ? documents.get(query) : undefined;
    if (kept) {
      documents.delete(query as string);
      documents.set(query as string, kept);
      return kept;
    }
    const result = validateOperation(schema, query, config.graphql, rules);
    if (!Array.isArray(result) && typeof query === 'string' && query.length <= DOCUMENT_KEPT_MAX_CHARS) {
      documents.set(query, result);
      if (documents.size > DOCUMENTS_KEPT) documents.delete(documents.keys().next().value!);
    }
    return result;
  };

  const subscribe = sharedRenderingSubscribe();

  // Counted at the upgrade: a socket that never sends connection_init still holds a slot until it closes.
  const admit = (socket: WebSocket, request: IncomingMessage): boolean => {
    const ip = clientAddress(request, trust) ?? 'unknown';
    if ((socketsPerIp.get(ip) ?? 0) >= config.ws.maxConnectionsPerIp) {
      metrics.wsDisconnected('too_many_connections');
      socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections from this address');
      return false;
    }
    socketsPerIp.set(ip, (socketsPerIp.get(ip) ?? 0) + 1);
    addresses.set(socket, ip);
    socket.once('close', () => decrement(socketsPerIp, ip));
    return true;
  };

  const serverCleanup = serveGraphQLWs<Record<string, unknown> | undefined>(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const client = { ipAddress: addresses.get(socket) ?? null, userAgent: request.headers['user-agent']?.slice(0, 500) ?? null };
        // No subscription is public: a socket without a valid token is refused (4403).
        const token = bearerToken(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        if (!token) return false;
        let auth: AuthInfo;
        try {
          auth = await createServices(deps, orm.em.fork()).auth.authenticate(token);
        } catch (error) {
          if (error instanceof DomainError) return false;
          throw error;
        }
        if (socket.readyState !== socket.OPEN) return false;
        if ((socketsPerUser.get(auth.userId) ?? 0) >= config.ws.maxConnectionsPerUser) {
          metrics.wsDisconnected('too_many_connections');
          // Closed first: graphql-ws's own 4403 for `false` then finds the socket closing and is dropped.
          socket.close(CLOSE_TOO_MANY_CONNECTIONS, 'Too many connections for this user');
          return false;
        }
        socketsPerUser.set(auth.userId, (socketsPerUser.get(auth.userId) ?? 0) + 1);
        // The token was checked once: the socket lives no longer than it (the client reconnects with a fresh one).
        const expiresInMs = (accessTokenExpiresAt(token)?.getTime() ?? 0) - deps.clock.now().getTime();
        const expiry = setTimeout(() => {
          metrics.wsDisconnected('token_expired');
          socket.close(CLOSE_UNAUTHORIZED, 'token expired');
        }, Math.max(0, expiresInMs));
        expiry.unref();
        states.set(socket, { auth, client, expiry });
        let set = bySession.get(auth.sessionId);
        if (!set) bySession.set(auth.sessionId, (set = new Set()));
        set.add(socket);
        return true;
      },
      onClose: (ctx) => {
        const socket = ctx.extra.socket;
        for (const id of [...(operations.get(socket)?.keys() ?? [])]) release(socket, id);
        operations.delete(socket);
        const state = states.get(socket);
        if (!state) return;
        states.delete(socket);
        clearTimeout(state.expiry);
        decrement(socketsPerUser, state.auth.userId);
        const set = bySession.get(state.auth.sessionId);
        set?.delete(socket);
        if (set?.size === 0) bySession.delete(state.auth.sessionId);
      },
      // Nothing built until a resolver asks: an open subscription holds its caller, not a fork.
      context: (ctx) => {
        const state = states.get(ctx.extra.socket);
        const context = new OperationContext(deps, orm, randomUUID(), state?.client ?? NO_CLIENT);
        context.auth = state?.auth ?? null;
        return context;
      },
      subscribe,
      onSubscribe: async (ctx, id, payload) => {
        const socket = ctx.extra.socket;
        const state = states.get(socket);
        const userId = state?.auth?.userId ?? null;
        const op: OpenOperation = { started: performance.now(), type: 'unknown', name: payload.operationName ?? null };
        const refused = (errors: GraphQLError[]) => {
          record(op, String(errors[0]?.extensions.code));
          return errors;
        };
        const open = operations.get(socket) ?? new Map<string, OpenOperation>();
        if (open.size >= config.ws.maxSubscriptionsPerConnection) {
          return refused(refuse('BAD_REQUEST', `Too many open operations on this connection: at most ${config.ws.maxSubscriptionsPerConnection}; complete one first`));
        }
        if (userId && (perUser.get(userId) ?? 0) >= config.ws.maxSubscriptionsPerUser) {
          return refused(refuse('BAD_REQUEST', `Too many open subscriptions for this user: at most ${config.ws.maxSubscriptionsPerUser}; complete one first`));
        }
        // Taken before the first await: a burst of subscribe messages is checked one by one.
        open.set(id, op);
        operations.set(socket, open);
        openOperations++;
        if (userId) perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
        try {
          await deps.limits.check('subscribes', { userId, ip: state?.client.ipAddress });
        } catch (error) {
          release(socket, id);
          if (!(error instanceof DomainError)) throw error;
          return refused(refuse(error.code, error.message, error.extensions));
        }
        const document = validated(payload.query);
        if (Array.isArray(document)) {
          release(socket, id);
          return refused(document);
        }
        // Per message, not with the cached document: the cost depends on this message's variables.
        const tooCostly = costError(schema, document, payload.operationName, payload.variables, config.graphql.maxCost);
        if (tooCostly) {
          release(socket, id);
          return refused([tooCostly]);
        }
        const operation = getOperationAST(document, payload.operationName);
        op.type = operation?.operation ?? 'unknown';
        op.name = operation?.name?.value ?? op.name;
        // Coerced here, as Apollo does over HTTP: a bad variable is BAD_USER_INPUT, not an execution failure.
        if (operation) {
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
          if (coerced.errors) {
            release(socket, id);
            return refused(coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } })));
          }
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onOperation: (ctx, id, _payload, _args, result) => {
        const op = operations.get(ctx.extra.socket)?.get(id);
        if (!op) return;
        // graphql-ws awaits execution before this hook: a stream, or one result.
        const errors = Symbol.asyncIterator in result || !('errors' in result) ? undefined : (result as ExecutionResult).errors;
        record(op, errors?.length ? clientCode(errors[0]!) : 'ok');
      },
      onComplete: (ctx, id) => {
        release(ctx.extra.socket, id);
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        const socket = ctx.extra.socket;
        if (socket.bufferedAmount > config.ws.maxBufferedBytes) closeSlow(socket);
        if (!result.errors) return SETTLED;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wsServer,
    deps.logger,
    config.ws.keepAliveMs,
    admit,
  );

  const revocations = deps.pubsub.subscribe(Topic.SESSION_REVOKED, 'all');
  void (async () => {
    for await (const event of revocations) for (const id of event.sessionIds) closeSession(id, 'Session revoked');
  })();

  // Catches expiry, and revocations published while this instance was not listening.
  const sweep = setInterval(() => {
    const ids = [...bySession.keys()];
    if (ids.length === 0) return;
    createServices(deps, orm.em.fork())
      .auth.activeSessionIds(ids)
      .then((active) => {
        for (const id of ids) if (!active.has(id)) closeSession(id, 'Session ended');
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'session sweep failed'));
  }, SESSION_SWEEP_MS);
  sweep.unref();

  // Catches a reader that stopped while nothing new was being sent to it.
  const slowSweep = setInterval(() => {
    const now = performance.now();
    for (const socket of wsServer.clients) {
      if (socket.bufferedAmount === 0) {
        stalledSince.delete(socket);
        continue;
      }
      const since = stalledSince.get(socket);
      if (since === undefined) stalledSince.set(socket, now);
      if (socket.bufferedAmount > config.ws.maxBufferedBytes || (since !== undefined && now - since > config.ws.sendStallMs)) closeSlow(socket);
    }
  }, Math.min(1_000, config.ws.sendStallMs / 2));
  slowSweep.unref();

  return {
    stats: {
      connections: () => wsServer.clients.size,
      subscriptions: () => openOperations,
    },
    async dispose() {
      clearInterval(sweep);
      clearInterval(slowSweep);
      await revocations.return?.();
      await serverCleanup.dispose();
    },
  };
}
