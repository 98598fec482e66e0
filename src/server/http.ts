import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { WebSocketServer } from 'ws';
import type { Orm } from '../db/orm.js';
import { dbPoolStats } from '../db/pg.js';
import type { GraphQLContext } from '../shared/request-context.js';
import { createContext } from './context.js';
import { createErrorFormatter } from '../graphql/errors.js';
import { costPlugin, limitRules, parseOptions } from '../graphql/limits.js';
import { loggingPlugin } from '../graphql/logging.plugin.js';
import { metricsPlugin } from '../graphql/metrics.plugin.js';
import { tracingPlugin } from '../graphql/tracing.plugin.js';
import type { AppDeps } from '../deps.js';
import { claimedUserId } from '../modules/auth/tokens.js';
import { DomainError } from '../shared/errors.js';
import type { AppMetrics, MetricSources } from '../shared/metrics.js';
import type { StringCache } from '../shared/redis-cache.js';
import { aguiRouter } from './agui.js';
import { chatPageRouter } from './chat-page.js';
import { webhookRouter } from './webhooks.js';
import { healthRouter } from './health.js';
import { ideRouter } from './ide.js';
import { clientAddress, trustProxy } from './client-address.js';
import { BAD_JSON, MALFORMED, graphqlPost, tooLarge } from './graphql-post.js';
import { httpTracing } from './tracing.js';
import { metricsRouter, startMetricsServer } from './metrics.js';
import { createHttpStreams, multipartSubscriptions, sseSubscriptions, type HttpStreams } from './http-subscriptions/index.js';
import { createSubscriptionGate } from './subscriptions/gate.js';
import { attachWebSocketServer, type SessionAuthority, type WebSocketStats } from './ws/index.js';

export interface RunningServer {
  port: number;
  /** The port of the metrics listener when it is not the main one. */
  metricsPort: number | undefined;
  /** Shutdown begins: /readyz answers 503 so a load balancer stops sending new work; requests are still served for SHUTDOWN_DRAIN_DELAY_MS. */
  beginShutdown(): Promise<void>;
  /** Stops accepting, drains in-flight requests, closes the WebSockets. */
  stop(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export interface HttpServerOptions {
  /** Serve the chat page (CHAT_UI); demo: the credentials its sign-in form shows, when seeded. */
  chat?: { demo: { username: string; password: string } | null };
  /** Where automatic persisted queries are kept (Redis in a fleet, so every instance knows a hash one registered); default: in memory. */
  persistedQueries?: StringCache;
}

export async function startHttpServer(
  deps: AppDeps,
  orm: Orm,
  schema: GraphQLSchema,
  metrics: AppMetrics,
  authority: SessionAuthority,
  options: HttpServerOptions = {},
): Promise<RunningServer> {
  const { config, logger } = deps;
  const formatError = createErrorFormatter(logger, config.exposeErrors);
  const rules = limitRules(config.graphql);
  let stopping = false;

  const app = express();
  // Off by default: then no middleware, plugin or span exists at all.
  const traced = deps.tracing ? httpTracing(deps.tracing) : undefined;
  if (traced) app.use(traced.request);
  app.disable('x-powered-by');
  // Answers are per caller and mostly POSTs: hashing every body for a 304 nobody asks for costs CPU.
  app.set('etag', false);
  // One trust function for req.ip and the WebSocket's address: rate limits and lockouts key on the same client.
  const trust = trustProxy(config.trustProxy);
  app.set('trust proxy', trust);
  // Its request handler is attached once Apollo has started (below): the drain plugin needs the server first.
  const httpServer = http.createServer();
  httpServer.keepAliveTimeout = config.httpKeepAliveTimeoutMs;
  httpServer.headersTimeout = config.httpHeadersTimeoutMs;
  // A message over the cap closes the socket with 1009 (Message Too Big).
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.bodyLimitBytes });
  // One gate for every subscription transport: a user's caps and rate limits count across them.
  const gate = createSubscriptionGate({ deps, schema, rules, authority, formatError });
  const ws = attachWebSocketServer(wsServer, { deps, orm, schema, formatError, trust, gate });
  const streams = createHttpStreams({ deps, orm, gate, formatError });
  metrics.attach(metricSources(deps, orm, ws.stats, streams));

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown; Apollo's own handler would re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
    introspection: config.graphql.introspection,
    hideSchemaDetailsFromClientErrors: config.graphql.hideSuggestions,
    validationRules: rules,
    parseOptions: parseOptions(config.graphql),
    // Apollo's defaults, stated: one operation per request, and no simple (CSRF-able) requests.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    ...(options.persistedQueries ? { persistedQueries: { cache: options.persistedQueries, ttl: PERSISTED_QUERY_TTL_SEC } } : {}),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      {
        serverWillStart: async () => ({
          drainServer: async () => {
            streams.dispose();
            await ws.dispose();
            await gate.dispose();
          },
        }),
      },
      ApolloServerPluginLandingPageDisabled(),
      // No field carries a cache hint: Apollo's cache-control plugin would wrap every resolver to end at "no-store" anyway.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo adds its inline-trace plugin, which acts only for a federation subgraph (this is none), and loading it
      // evaluates the usage-reporting protobuf (~300 KB) at every start.
      ApolloServerPluginInlineTraceDisabled(),
      noStorePlugin,
      costPlugin(config.graphql),
      loggingPlugin(logger),
      metricsPlugin(metrics),
      ...(deps.tracing ? [tracingPlugin(deps.tracing)] : []),
    ],
  });
  await apollo.start();

  app.use(healthRouter(orm, logger, () => stopping));
  if (config.metricsEnabled && config.metrics.port === undefined) app.use(metricsRouter(metrics, config.metrics.token));
  app.use(ideRouter());
  app.use(webhookRouter(deps, orm));
  if (options.chat) app.use(chatPageRouter({ demo: options.chat.demo, sourceMaps: config.chatUiSourceMaps, logger }));
  app.use(aguiRouter({ streams, bodyLimitBytes: config.bodyLimitBytes, metrics }));
  // Before /graphql, whose prefix it shares.
  app.use('/graphql/stream', express.json({ limit: config.bodyLimitBytes }), sseSubscriptions(streams));
  const operationContext = async (req: IncomingMessage, res: ServerResponse, ipAddress: string | null): Promise<GraphQLContext> => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    res.setHeader('x-request-id', requestId);
    const authorization = req.headers.authorization;
    // The address and the user a verified token names, in one round trip: a flood is refused before its session costs a database read.
    const userId = claimedUserId(config.jwt, authorization, deps.clock.now());
    await rateLimited(() => deps.rateLimits.check('operations', { ip: ipAddress, userId }));
    return createContext(deps, orm, {
      requestId,
      authorization,
      client: { ipAddress, userAgent: req.headers['user-agent']?.slice(0, 500) ?? null },
    });
  };
  app.use(
    '/graphql',
    express.json({ limit: config.bodyLimitBytes }),
    ...(traced ? [traced.operation] : []),
    multipartSubscriptions({ streams }),
    expressMiddleware(apollo, { context: ({ req, res }) => operationContext(req, res, req.ip ?? null) }),
  );
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ errors: [{ message: 'Not found: the API is at /graphql', extensions: { code: 'NOT_FOUND' } }] });
  });
  // Body-parser and other HTTP-level failures: a JSON error, never an HTML stack trace.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    const type = (error as { type?: unknown }).type;
    let message = 'Internal server error';
    let code = 'INTERNAL_SERVER_ERROR';
    if (type === 'entity.parse.failed') [message, code] = [BAD_JSON, 'BAD_REQUEST'];
    else if (type === 'entity.too.large') [message, code] = [tooLarge(config.bodyLimitBytes), 'BAD_REQUEST'];
    else if (status >= 400 && status < 500) [message, code] = [MALFORMED, 'BAD_REQUEST'];
    else logger.error({ err: error }, 'unhandled HTTP error');
    res.status(status >= 400 && status < 600 ? status : 500).json({ errors: [{ message, extensions: { code } }] });
  });
  // POST /graphql with a JSON body straight to Apollo, the rest through express. Traced, every request keeps the express path its spans are made on.
  httpServer.on(
    'request',
    traced
      ? app
      : graphqlPost({
          apollo,
          context: (req, res) => operationContext(req, res, clientAddress(req, trust)),
          bodyLimitBytes: config.bodyLimitBytes,
          logger,
          fallback: app,
        }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  if (config.metricsEnabled && config.metrics.port !== undefined) {
    try {
      metricsServer = await startMetricsServer(metrics, config.metrics);
    } catch (error) {
      await apollo.stop();
      throw error;
    }
    logger.info({ metrics: `http://${config.metrics.host}:${metricsServer.port}/metrics` }, 'metrics served on a listener of their own');
  }

  return {
    port,
    metricsPort: metricsServer?.port,
    async beginShutdown() {
      stopping = true;
      // The balancer's health check must see the 503 before the listener closes, or it sends requests to a closed port.
      if (config.shutdownDrainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainDelayMs));
    },
    async stop() {
      stopping = true;
      // Apollo drains: stops accepting, waits for in-flight requests, closes the sockets.
      await apollo.stop();
      await metricsServer?.stop();
    },
  };
}

/** The header Apollo's cache-control plugin gives every answer here: nothing a resolver returns is for a shared cache. */
const noStorePlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

/** RATE_LIMITED as HTTP 429 with Retry-After; Apollo keeps the status and header from `extensions.http`. */
async function rateLimited(check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'RATE_LIMITED') throw error;
    const retryAfter = Number(error.extensions.retryAfter);
    throw new GraphQLError(error.message, {
      extensions: {
        code: error.code,
        retryAfter,
        http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
      },
    });
  }
}

function metricSources(deps: AppDeps, orm: Orm, ws: WebSocketStats, streams: HttpStreams): MetricSources {
  let runs: { at: number; rows: Promise<Array<{ status: string; count: number }>> } | undefined;
  return {
    wsConnections: ws.connections,
    // The quotas are shared: each HTTP stream holds one of their operations.
    wsSubscriptions: () => ws.subscriptions() - streams.size,
    httpStreams: () => streams.size,
    pubsubSubscriptions: () => deps.pubsub.subscriberCount,
    dbPool: () => dbPoolStats([deps.moneyPool, deps.plainPool]),
    agentRunsActive: () => deps.agent.activeRuns,
    agentRunsByStatus: () => {
      // Cached briefly: a scrape every second must not become a table scan every second.
      if (!runs || Date.now() - runs.at > RUN_COUNT_CACHE_MS) {
        const rows = orm.em
          .fork()
          .getConnection()
          .execute<Array<{ status: string; count: string }>>('select "status", count(*)::text as "count" from "agent_run" group by "status"')
          .then((r) => r.map((row) => ({ status: row.status, count: Number(row.count) })))
          .catch((error: unknown) => {
            deps.logger.warn({ err: error }, 'metrics: counting agent runs failed');
            return [];
          });
        runs = { at: Date.now(), rows };
      }
      return runs.rows;
    },
  };
}

const RUN_COUNT_CACHE_MS = 5_000;
/** A persisted query unused for a day is forgotten in Redis: clients re-register it with one extra request. */
const PERSISTED_QUERY_TTL_SEC = 86_400;
