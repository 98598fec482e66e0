import 'reflect-metadata';
import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export const SUITE_RATE_LIMITS = {
  RATE_LIMIT_OPERATIONS_PER_USER: '1000000',
  RATE_LIMIT_OPERATIONS_PER_IP: '1000000',
  RATE_LIMIT_SUBSCRIBES_PER_USER: '1000000',
  RATE_LIMIT_SUBSCRIBES_PER_IP: '1000000',
  RATE_LIMIT_SEND_MESSAGE_PER_USER: '1000000',
};

export interface GqlResult<R> {
  status: number;
  data: R | null | undefined;
  errors: GraphQLFormattedError[] | undefined;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** A gateway as its clients see it: in this process (TestServer) or another (tests/helpers/process.ts). */
export interface Gateway {
  url: string;
  wsUrl: string;
  gql<R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, options?: RequestOptions): Promise<GqlResult<R>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, options?: RequestOptions): Promise<R>;
  ws(token?: string, extra?: Partial<Parameters<typeof createClient>[0]>): Client;
  /** Runs `open` and resolves once the server holds one more pub/sub subscription. */
  subscribed<T>(open: () => T): Promise<T>;
  stop(): Promise<void>;
}

export interface TestServer extends Gateway {
  app: App;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The raw text of the logs, for "never appears" assertions. */
  rawLogs(): string;
}

/**
 * The client side of a Gateway at these addresses: typed HTTP, graphql-ws clients (closed
 * by `disposeClients`), and `subscribed` polling `subscriberCount` until it grows.
 */
export function gatewayClients(url: string, wsUrl: string, subscriberCount: () => number | Promise<number>) {
  const clients: Client[] = [];
  const gql = async <R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, opts: RequestOptions = {}): Promise<GqlResult<R>> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables }),
    });
    const body = (await res.json()) as { data?: R | null; errors?: GraphQLFormattedError[] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };
  return {
    url,
    wsUrl,
    gql,
    async ok<R, V>(doc: TypedDocumentNode<R, V> | string, variables?: V, opts?: RequestOptions): Promise<R> {
      const result = await gql(doc, variables, opts);
      if (result.errors?.length || !result.data) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors ?? result)}`);
      }
      return result.data;
    },
    ws(token?: string, extra: Partial<Parameters<typeof createClient>[0]> = {}): Client {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
        ...extra,
      });
      clients.push(client);
      return client;
    },
    async subscribed<T>(open: () => T): Promise<T> {
      const before = await subscriberCount();
      const result = open();
      for (let i = 0; (await subscriberCount()) <= before; i++) {
        if (i > 500) throw new Error('the subscription did not reach the server within 5 s');
        await sleep(10);
      }
      return result;
    },
    disposeClients: () => Promise.all(clients.map((c) => c.dispose())),
  };
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Join this database (another test server's `app.databaseUrl`) instead of a fresh one. */
  databaseUrl?: string;
  clock?: Clock;
}

/** A real gateway on port 0 with a fresh database; stop() removes both. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const db = options.databaseUrl ? { url: options.databaseUrl, drop: async () => {} } : await createTestDatabase();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const { config } = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: 'memory',
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_COST: '4',
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    DB_POOL_MAX: '8',
    // Suites hammer one server from one address; tests/hardening sets its own limits.
    ...SUITE_RATE_LIMITS,
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...options.env,
  });
  let app: App;
  try {
    app = await createApp(config, { logger: createLogger(config.logLevel, sink), clock: options.clock });
  } catch (error) {
    await db.drop();
    throw error;
  }

  const { disposeClients, ...client } = gatewayClients(app.url, app.wsUrl, () => app.deps.pubsub.subscriberCount);
  return {
    ...client,
    app,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    rawLogs: () => lines.join('\n'),
    async stop() {
      await disposeClients();
      await app.stop();
      await db.drop();
    },
  };
}
