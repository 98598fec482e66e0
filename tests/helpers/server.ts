import 'reflect-metadata';
import { Writable } from 'node:stream';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { gatewayClients, type GatewayClient } from './client.js';
import { createTestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export const SUITE_RATE_LIMITS = {
  RATE_LIMIT_OPERATIONS_PER_USER: '1000000',
  RATE_LIMIT_OPERATIONS_PER_IP: '1000000',
  RATE_LIMIT_SUBSCRIBES_PER_USER: '1000000',
  RATE_LIMIT_SUBSCRIBES_PER_IP: '1000000',
  RATE_LIMIT_SEND_MESSAGE_PER_USER: '1000000',
};

export type { GqlResult, RequestOptions } from './client.js';

/** A gateway as its clients see it: in this process (TestServer) or another (tests/helpers/process.ts). */
export interface Gateway extends GatewayClient {
  stop(): Promise<void>;
}

export interface TestServer extends Gateway {
  app: App;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The raw text of the logs, for "never appears" assertions. */
  rawLogs(): string;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Join this database (another test server's `app.databaseUrl`) instead of a fresh one. */
  databaseUrl?: string;
  clock?: Clock;
  /** false: the agent runner's timers stay off, so every statement the ORM sends is the test's (tests/helpers/sql.ts). */
  maintenance?: boolean;
  /** Trace into this exporter (an InMemorySpanExporter): the gateway traces as OTEL_* would make it, spans kept in-process. */
  traceExporter?: SpanExporter;
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
    app = await createApp(config, {
      logger: createLogger(config.logLevel, sink),
      clock: options.clock,
      maintenance: options.maintenance,
      traceExporter: options.traceExporter,
    });
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
