import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import type { Orm } from '../db/orm.js';
import { createContext, type GraphQLContext } from '../graphql/context.js';
import { createErrorFormatter } from '../graphql/errors.js';
import { loggingPlugin } from '../graphql/logging.plugin.js';
import type { AppDeps } from '../services.js';
import { healthRouter } from './health.js';
import { ideRouter } from './ide.js';
import { attachWebSocketServer } from './ws.js';

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export async function startHttpServer(deps: AppDeps, orm: Orm, schema: GraphQLSchema): Promise<RunningServer> {
  const { config, logger } = deps;
  const formatError = createErrorFormatter(logger, config.exposeErrors);
  let stopping = false;

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const ws = attachWebSocketServer(wsServer, deps, orm, schema, formatError);

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown; Apollo's own handler would re-raise the signal mid-drain.
    stopOnTerminationSignals: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
      ApolloServerPluginLandingPageDisabled(),
      loggingPlugin(),
    ],
  });
  await apollo.start();

  app.use(healthRouter(orm, logger, () => stopping));
  app.use(ideRouter());
  app.use(
    '/graphql',
    express.json({ limit: config.bodyLimitBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const header = req.get('x-request-id');
        const requestId = header && REQUEST_ID.test(header) ? header : randomUUID();
        res.setHeader('x-request-id', requestId);
        return createContext(deps, orm, {
          requestId,
          authorization: req.get('authorization'),
          client: { ipAddress: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 500) ?? null },
        });
      },
    }),
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
    if (type === 'entity.parse.failed') [message, code] = ['Request body is not valid JSON', 'BAD_REQUEST'];
    else if (type === 'entity.too.large') [message, code] = [`Request body is larger than ${config.bodyLimitBytes} bytes`, 'BAD_REQUEST'];
    else if (status >= 400 && status < 500) [message, code] = ['Malformed request', 'BAD_REQUEST'];
    else logger.error({ err: error }, 'unhandled HTTP error');
    res.status(status >= 400 && status < 600 ? status : 500).json({ errors: [{ message, extensions: { code } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;

  return {
    port,
    async stop() {
      stopping = true;
      // Apollo drains: stops accepting, waits for in-flight requests, closes the sockets.
      await apollo.stop();
    },
  };
}
