import { syncRound } from './modules/linking/sync.schedule.js';
import { setLinkingAddress, startLinking } from './modules/linking/linking.factory.js';
import 'reflect-metadata';
import type { Config } from './config/config.js';
import type { EmbeddedPostgres } from './db/embedded.js';
import type { AppDeps, CoreDeps } from './deps.js';
import { migrate, openOrm, type Orm } from './db/orm.js';
import { ormSql } from './db/orm-sql.js';
import { openPgPool, plainSql, splitPoolMax, type PgPool } from './db/pg.js';
import { Flags } from './flags/flags.js';
import { buildAppSchema } from './graphql/schema.js';
import { AgentRunner } from './modules/agent/agent.runner.js';
import { AgentEventStore } from './modules/agent/agent-event.store.js';
import { createProviders } from './modules/agent/provider.factory.js';
import { AuditChainer } from './modules/audit/audit-chainer.js';
import { activeSessionIdsOn, authenticateBearer } from './modules/auth/session-check.js';
import { PasswordHasher } from './modules/auth/passwords.js';
import { beginPasswordCheck } from './modules/auth/operator.js';
import { evictOnRevocation, SessionCache } from './modules/auth/session-cache.js';
import { goalPostingHook } from './modules/plans/goal.posting.js';
import { combinePostingHooks } from './modules/transfers/transfer.events.js';
import { settlementPostingHook } from './modules/groups/settlement.posting.js';
import { TransferBatcher } from './modules/transfers/transfer.batch.js';
import { MemoryPubSub } from './pubsub/memory.pubsub.js';
import type { PubSub } from './pubsub/pubsub.js';
import type { RedisPubSub } from './pubsub/redis.pubsub.js';
import { bootstrapUsers } from './seed/bootstrap.js';
import { DEMO_CUSTOMER } from './seed/demo.js';
import { startHttpServer } from './server/http.js';
import { gatewayMaintenance } from './server/maintenance.js';
import type { SessionAuthority } from './server/ws/index.js';
import { createServices } from './services.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, withTraceIds, type Logger } from './shared/logger.js';
import type { Tracing } from './shared/tracing.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MemoryRateLimiter } from './shared/rate-limiter.js';
import type { RedisRateLimiter } from './shared/redis-rate-limiter.js';
import type { RedisStringCache } from './shared/redis-cache.js';
import type { RedisCooldowns } from './shared/redis-cooldowns.js';
import { MemoryCooldowns, type Cooldowns } from './shared/cooldowns.js';
import { AppMetrics } from './shared/metrics.js';
import { RateLimits } from './shared/rate-limits.js';

export interface AppOptions {
  logger?: Logger;
  clock?: Clock;
  /** False: no agent heartbeats, stale-run sweep, transfer expiry sweep or audit chainer (tests that count statements). Default true. */
  maintenance?: boolean;
  /** Trace into this exporter (tests: an InMemorySpanExporter), each span as it ends, whatever OTEL_* says. */
  traceExporter?: SpanExporter;
}

export interface App {
  url: string;
  wsUrl: string;
  port: number;
  /** Where GET /metrics answers (the main port, or METRICS_PORT's listener); undefined when METRICS_ENABLED=false. */
  metricsUrl: string | undefined;
  /** The chat page; undefined when CHAT_UI is off. */
  chatUrl: string | undefined;
  database: { kind: 'embedded' | 'postgresql'; location: string };
  /** Where the ORM connects (the embedded database's loopback URL too): another instance may join it. */
  databaseUrl: string;
  orm: Orm;
  deps: AppDeps;
  events: AgentEventStore;
  stop(): Promise<void>;
}

/** The composition root: every long-lived part is built here and nowhere else. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  // The SDK loads only when traced: off (the default), `tracing` is undefined and nothing per request touches it.
  let tracing: Tracing | undefined;
  if (config.tracing || options.traceExporter) {
    const { createOtelTracing } = await import('./shared/otel.js');
    tracing = await createOtelTracing(config.tracing, { instanceId: config.instanceId, exporter: options.traceExporter });
  }
  const baseLogger = options.logger ?? createLogger(config.logLevel);
  const logger = tracing ? withTraceIds(baseLogger, tracing.logFields) : baseLogger;
  const clock = options.clock ?? systemClock;
  let embedded: EmbeddedPostgres | undefined;
  let database: App['database'];
  if (config.databaseUrl) {
    database = { kind: 'postgresql', location: describeUrl(config.databaseUrl) };
  } else {
    // Loaded only here: PGlite is for running without DATABASE_URL.
    const { startEmbeddedPostgres } = await import('./db/embedded.js');
    embedded = await startEmbeddedPostgres(config.dataDir);
    database = { kind: 'embedded', location: embedded.location };
  }
  logger.info({ database }, `database: ${database.kind === 'embedded' ? 'embedded PGlite at' : 'PostgreSQL at'} ${database.location}`);

  let orm: Orm | undefined;
  let moneyPool: PgPool | undefined;
  let plainPool: PgPool | undefined;
  let events: AgentEventStore | undefined;
  let flags: Flags | undefined;
  let stopEvicting = async () => {};
  let linking: Awaited<ReturnType<typeof startLinking>> | undefined;
  let users: Promise<void> | undefined;
  // ioredis loads only with REDIS_URL.
  let redis: { pubsub: RedisPubSub; limiter: RedisRateLimiter; persistedQueries: RedisStringCache; cooldowns: RedisCooldowns } | undefined;
  if (config.redisUrl) {
    const [{ RedisPubSub }, { RedisRateLimiter }, { RedisStringCache }, { RedisCooldowns }] = await Promise.all([
      import('./pubsub/redis.pubsub.js'),
      import('./shared/redis-rate-limiter.js'),
      import('./shared/redis-cache.js'),
      import('./shared/redis-cooldowns.js'),
    ]);
    redis = {
      pubsub: new RedisPubSub(config.redisUrl, logger),
      limiter: new RedisRateLimiter(config.redisUrl),
      persistedQueries: new RedisStringCache(config.redisUrl, 'coach:apq:'),
      cooldowns: new RedisCooldowns(config.redisUrl, config.llm.cooldown),
    };
  }
  const pubsub: PubSub = redis?.pubsub ?? new MemoryPubSub();
  const limiter = redis?.limiter ?? new MemoryRateLimiter();
  const cooldowns: Cooldowns = redis?.cooldowns ?? new MemoryCooldowns(config.llm.cooldown);
  if (config.redisUrl) logger.info({ redis: describeUrl(config.redisUrl) }, 'pub/sub and rate limits through Redis');
  try {
    // The embedded PGlite runs one statement at a time behind its socket, so a second connection
    // of our own buys nothing there, and every extra connection (and reconnect) is one more client
    // its queue interleaves: the ORM keeps the pool, the money path and plain reads one steady connection each.
    const poolMax = embedded ? { orm: config.dbPoolMax, money: 1, plain: 1 } : splitPoolMax(config.dbPoolMax);
    const url = config.databaseUrl ?? embedded!.url;
    const ownPool = (name: string, max: number) =>
      openPgPool(url, {
        max,
        idleTimeoutMillis: embedded ? 0 : undefined,
        applicationName: `coach-gateway ${name}`,
        onError: (err) => logger.warn({ err }, `${name} pool: an idle connection failed`),
        tracing,
      });
    moneyPool = ownPool('money', poolMax.money);
    plainPool = ownPool('reads', poolMax.plain);
    const passwords = new PasswordHasher(config.bcryptCost);
    // The operator's bcrypt check is what a restart waits for longest: begun now (one read), it runs while the ORM discovers its entities.
    const operatorChecked = config.operator
      ? await beginPasswordCheck(plainSql(plainPool), passwords, config.operator.username, config.operator.password)
      : undefined;
    orm = await openOrm(url, poolMax.orm, { log: (message) => logger.debug({ orm: message }), tracing });
    const eventStore = (events = new AgentEventStore({
      orm,
      pubsub,
      clock,
      connection: config.databaseUrl ? { pool: openPgPool(config.databaseUrl, { max: 1, applicationName: 'coach-gateway agent events', tracing }) } : 'orm',
    }));
    const applied = await migrate(orm);
    if (applied.length > 0) logger.info({ migrations: applied }, `applied ${applied.length} migration(s)`);
    const metrics = new AppMetrics(config.instanceId);
    const sessionCache = new SessionCache(config.sessionCacheMs);
    stopEvicting = evictOnRevocation(sessionCache, pubsub, logger);
    const postingHook = combinePostingHooks([goalPostingHook(pubsub), settlementPostingHook(pubsub)]);
    flags = await Flags.open({ ...config.flags, logger });
    linking = await startLinking(config, logger);
    const core: CoreDeps = {
      config,
      logger,
      clock,
      pubsub,
      passwords,
      rateLimiter: limiter,
      rateLimits: new RateLimits(limiter, config.rateLimits, metrics),
      metrics,
      flags,
      sessionCache,
      moneyPool,
      plainPool,
      plainSql: plainSql(plainPool),
      // Two lanes: batches grow while one commits, and one stalled on a lock does not stop all (bench/README.md).
      transferBatcher: new TransferBatcher(
        { pool: moneyPool, clock, pubsub, logger, postingHook, tracing, paths: (path) => metrics.transferBatch(path) },
        { lanes: Math.min(2, poolMax.money) },
      ),
      postingHook,
      linking: linking.runtime,
      tracing,
    };
    // Started now so the operator's bcrypt (begun above where it could be) runs on the thread pool while this thread builds the schema; awaited before listen.
    users = bootstrapUsers(core, orm, operatorChecked);
    users.catch(() => undefined);
    const openOrmRef = orm;
    const runner = new AgentRunner({
      orm,
      providers: await createProviders(config.llm, { clock, cooldowns, metrics, logger, tracing }),
      flags,
      pubsub,
      clock,
      logger,
      metrics,
      instanceId: config.instanceId,
      servicesFor: (em) => createServices(core, em),
      events: eventStore,
      sql: core.plainSql,
      tracing,
    });
    const deps: AppDeps = { ...core, agent: runner };
    // Alone, every unfinished run is orphaned; in a fleet, only those of dead instances.
    const interrupted = await runner.recoverInterrupted({ staleOnly: config.redisUrl !== undefined });
    if (interrupted > 0) logger.warn({ runs: interrupted }, 'ended agent runs interrupted by an earlier stop as FAILED (INTERRUPTED)');
    const chain = runner.provider.providers.map((p) => `${p.name} (${p.model})`);
    logger.info({ provider: runner.provider.name, model: runner.provider.model, chain }, `agent providers: ${chain.join(' -> ')}`);
    const schema = await buildAppSchema();
    await users;
    // A socket holds no EntityManager between messages; signing in needs none at all, only plain statements.
    const authority: SessionAuthority = {
      authenticate: (t) => authenticateBearer(core, t),
      activeSessionIds: (ids) => activeSessionIdsOn(core.plainSql, clock.now(), ids),
    };
    const chat = config.chatUi ? { demo: config.seedDemo ? { ...DEMO_CUSTOMER } : null } : undefined;
    const server = await startHttpServer(deps, orm, schema, metrics, authority, { chat, persistedQueries: redis?.persistedQueries });
    // Timers only once the gateway serves: a start that fails leaves none behind.
    const maintenance = gatewayMaintenance(
      {
        runner,
        transferExpiry: { ttlSec: config.transferPendingTtlSec, expireDue: () => createServices(core, openOrmRef.em.fork()).transfers.expireDue() },
        chainer: new AuditChainer(() => ({ execute: (sql, params) => ormSql(openOrmRef.em.fork(), sql, params) })),
        linkSync:
          config.aggregator.syncIntervalSec > 0
            ? {
                everyMs: config.aggregator.syncIntervalSec * 1000,
                round: syncRound(core, config.aggregator.syncIntervalSec, () => createServices(core, openOrmRef.em.fork()).linkSync),
              }
            : undefined,
      },
      logger,
    );
    if (options.maintenance !== false) maintenance.start();
    // Subscriptions made at start (revocations, cancellations) must be live before traffic.
    await redis?.pubsub.ready();
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    setLinkingAddress(linking.runtime, config, `http://${host}:${server.port}`);
    return {
      url: `http://${host}:${server.port}/graphql`,
      wsUrl: `ws://${host}:${server.port}/graphql`,
      port: server.port,
      metricsUrl: !config.metricsEnabled
        ? undefined
        : server.metricsPort === undefined
          ? `http://${host}:${server.port}/metrics`
          : `http://${config.metrics.host === '0.0.0.0' || config.metrics.host === '::' ? 'localhost' : config.metrics.host}:${server.metricsPort}/metrics`,
      chatUrl: config.chatUi ? `http://${host}:${server.port}/chat` : undefined,
      database,
      databaseUrl: config.databaseUrl ?? embedded!.url,
      orm,
      deps,
      events: eventStore,
      async stop() {
        // Not ready, still serving through the drain delay; then new runs are refused, running runs get the
        // grace period to finish (their subscribers still connected), the rest are cancelled; then HTTP drains.
        await server.beginShutdown();
        await runner.stop(config.shutdownGraceMs);
        await server.stop();
        // After the drain: the audit rows of the last requests get chained, and runs in their grace period keep beating.
        await maintenance.stop();
        await linking?.close();
        await eventStore.close();
        await stopEvicting();
        await flags?.close();
        await pubsub.close();
        await redis?.limiter.close();
        await redis?.persistedQueries.close();
        await redis?.cooldowns.close();
        await moneyPool?.end();
        await plainPool?.end();
        await openOrmRef.close(true);
        await embedded?.stop();
        // Last: the spans of everything above are exported before the process exits.
        await tracing?.shutdown();
      },
    };
  } catch (error) {
    await users?.catch(() => undefined);
    await linking?.close();
    await events?.close();
    await stopEvicting();
    await flags?.close();
    await pubsub.close();
    await redis?.limiter.close();
    await redis?.persistedQueries.close();
    await redis?.cooldowns.close();
    await moneyPool?.end();
    await plainPool?.end();
    await orm?.close(true);
    await embedded?.stop();
    await tracing?.shutdown();
    throw error;
  }
}

/** host:port/database, never the password. */
function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}
