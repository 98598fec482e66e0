import { GraphQLError, getOperationAST, getVariableValues, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { AppDeps } from '../../deps.js';
import { costError } from '../../graphql/cost.js';
import { validateOperation } from '../../graphql/limits.js';
import type { Transport } from '../../shared/metrics.js';
import type { Caller } from '../../shared/rate-limits.js';
import type { ErrorFormatter } from '../../graphql/errors.js';
import { sharedRenderingSubscribe } from '../ws-events.js';
import { createSharedFrames } from './frames.js';
import { createSocketAuth, type SessionAuthority } from '../ws/auth.js';
import { createDocumentCache } from '../ws/documents.js';
import { createOperationMetrics, type OpenOperation } from '../ws/metrics.js';
import { createQuotas } from '../ws/quotas.js';
import { createSessionIndex } from '../ws/sessions.js';
import { createAddressSlots } from './addresses.js';

export interface OperationPayload {
  query?: unknown;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export interface PreparedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null | undefined;
  variableValues: Record<string, unknown> | null | undefined;
  /** query, mutation or subscription. */
  type: string;
}

/** A connection as the shared parts see it: a WebSocket, or one HTTP stream. */
export interface Connection {
  close(code?: number, reason?: string): void;
  once(event: 'close', listener: () => void): unknown;
}

export interface SubscriptionGateOptions {
  deps: AppDeps;
  schema: GraphQLSchema;
  rules: ValidationRule[];
  authority: SessionAuthority;
  /** Masks and codes errors for the wire, as every transport sends them. */
  formatError: ErrorFormatter;
}

/**
 * What every subscription transport (graphql-ws, multipart HTTP, SSE) shares, built once so a
 * client's caps and rate limits count across all of them: the per-address cap, sign-in and token expiry, the sessions
 * index that ends a revoked session's streams, the quotas, the document cache and limits.
 */
export function createSubscriptionGate({ deps, schema, rules, authority, formatError }: SubscriptionGateOptions) {
  const { config, metrics, logger } = deps;
  const auth = createSocketAuth({ authority, clock: deps.clock, metrics });
  const addresses = createAddressSlots(config.streams.maxPerIp);
  const quotas = createQuotas<OpenOperation>({ config: config.ws, addresses, rateLimits: deps.rateLimits, metrics });
  const documents = createDocumentCache({ validate: (query) => validateOperation(schema, query, config.graphql, rules) });
  const outcomes = createOperationMetrics(metrics);
  const sessions = createSessionIndex({ authority, pubsub: deps.pubsub, logger });

  return {
    auth,
    /** Every transport takes one per connection (STREAMS_MAX_PER_IP). */
    addresses,
    quotas,
    outcomes,
    sessions,
    subscribe: sharedRenderingSubscribe(),
    /** Each shared rendering's bytes, made once for all its subscribers, whatever their transport. */
    frames: createSharedFrames((errors) => errors.map((e) => formatError(e.toJSON(), e))),

    /**
     * Claims a slot under the caps and rate limit, then validates: the operation to execute, or
     * the errors to answer with (the slot already given back). Every transport answers the same.
     */
    async prepare(transport: Transport, conn: Connection, id: string, payload: OperationPayload, caller: Caller): Promise<PreparedOperation | GraphQLError[]> {
      const op = outcomes.start(payload.operationName, transport);
      const refused = (errors: GraphQLError[]) => {
        quotas.release(conn, id);
        outcomes.refused(op, errors);
        return errors;
      };
      const denied = await quotas.claim(conn, id, op, caller);
      if (denied) {
        outcomes.refused(op, denied);
        return denied;
      }
      const document = documents.validated(payload.query);
      if (Array.isArray(document)) return refused(document);
      // Per message, not with the cached document: the cost depends on this message's variables.
      const tooCostly = costError(schema, document, payload.operationName, payload.variables, config.graphql.maxCost);
      if (tooCostly) return refused([tooCostly]);
      const operation = getOperationAST(document, payload.operationName);
      outcomes.identify(op, operation);
      // Coerced here, as Apollo does over HTTP: a bad variable is BAD_USER_INPUT, not an execution failure.
      if (operation) {
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
        if (coerced.errors) {
          return refused(coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } })));
        }
      }
      return { schema, document, operationName: payload.operationName, variableValues: payload.variables, type: op.type };
    },

    async dispose(): Promise<void> {
      await sessions.dispose();
    },
  };
}

export type SubscriptionGate = ReturnType<typeof createSubscriptionGate>;
