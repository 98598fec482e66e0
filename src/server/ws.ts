import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Orm } from '../db/orm.js';
import { createContext } from '../graphql/context.js';
import type { ErrorFormatter } from '../graphql/errors.js';
import type { AuthInfo } from '../modules/auth/auth.types.js';
import { bearerToken } from '../modules/auth/tokens.js';
import { Topic } from '../pubsub/topics.js';
import { createServices, type AppDeps } from '../services.js';
import { DomainError } from '../shared/errors.js';

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
const SESSION_SWEEP_MS = 3_000;

interface SocketState {
  auth: AuthInfo | null;
  client: { ipAddress: string | null; userAgent: string | null };
}

/**
 * graphql-transport-ws on the same port and path as HTTP. The token is checked once at
 * connection_init; sockets of a revoked or expired session are closed within seconds.
 */
export function attachWebSocketServer(
  wsServer: WebSocketServer,
  deps: AppDeps,
  orm: Orm,
  schema: GraphQLSchema,
  formatError: ErrorFormatter,
): { dispose(): Promise<void> } {
  const states = new WeakMap<WebSocket, SocketState>();
  const bySession = new Map<string, Set<WebSocket>>();

  const closeSession = (sessionId: string, reason: string) => {
    for (const socket of bySession.get(sessionId) ?? []) socket.close(CLOSE_UNAUTHORIZED, reason);
    bySession.delete(sessionId);
  };

  const serverCleanup = useServer<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage }>(
    {
      schema,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const client = {
          ipAddress: request.socket.remoteAddress ?? null,
          userAgent: request.headers['user-agent']?.slice(0, 500) ?? null,
        };
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (header === undefined || header === null || header === '') {
          states.set(socket, { auth: null, client });
          return true;
        }
        const token = bearerToken(header);
        if (!token) return false;
        try {
          const auth = await createServices(deps, orm.em.fork()).auth.authenticate(token);
          states.set(socket, { auth, client });
          let set = bySession.get(auth.sessionId);
          if (!set) bySession.set(auth.sessionId, (set = new Set()));
          set.add(socket);
          return true;
        } catch (error) {
          if (error instanceof DomainError) return false;
          throw error;
        }
      },
      onClose: (ctx) => {
        const auth = states.get(ctx.extra.socket)?.auth;
        if (!auth) return;
        const set = bySession.get(auth.sessionId);
        set?.delete(ctx.extra.socket);
        if (set?.size === 0) bySession.delete(auth.sessionId);
      },
      context: async (ctx) => {
        const state = states.get(ctx.extra.socket);
        const context = await createContext(deps, orm, {
          requestId: randomUUID(),
          authorization: undefined,
          client: state?.client ?? { ipAddress: null, userAgent: null },
        });
        context.auth = state?.auth ?? null;
        return context;
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wsServer,
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

  return {
    async dispose() {
      clearInterval(sweep);
      await revocations.return?.();
      await serverCleanup.dispose();
    },
  };
}
