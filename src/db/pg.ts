import { AsyncResource } from 'node:async_hooks';
import pg from 'pg';
import type { Tracing } from '../shared/tracing.js';
import { prepared } from './statement.js';
import { endStatement, statementSpan } from './statement-spans.js';

/*
 * The PostgreSQL driver's pools the project owns, for statements past the ORM: the money path's
 * (db/raw-tx.ts) and the plain reads'. Only public `pg` API; values always bound.
 */

export type PgPool = pg.Pool;
export type PgPoolClient = pg.PoolClient;

export interface PgPoolOptions {
  max: number;
  applicationName: string;
  /** An idle connection broke (the server restarted, say); the pool drops it either way. */
  onError?: (error: Error) => void;
  /** How long an idle connection is kept (pg's default 10 s; 0: for good). */
  idleTimeoutMillis?: number;
  /** Set: every statement on this pool's connections is a span (its text, never its values). */
  tracing?: Tracing;
}

/** A pool of our own. Connections open on first use, so an unused pool costs nothing. */
export function openPgPool(url: string, options: PgPoolOptions): PgPool {
  const Pool = options.tracing ? tracedPool(options.tracing) : pg.Pool;
  const pool = new Pool({
    connectionString: url,
    max: options.max,
    application_name: options.applicationName,
    idleTimeoutMillis: options.idleTimeoutMillis,
  });
  // Without a listener an idle connection's error would crash the process.
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/**
 * A pool whose connections report each statement as a span, through pg's public `Client` option.
 * The pool hands a waiting caller its connection from whichever release freed one: the callback is
 * bound to the caller's context, so the statement's span lands under the caller's span.
 */
function tracedPool(tracing: Tracing): typeof pg.Pool {
  class TracedClient extends pg.Client {}
  const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
  TracedClient.prototype.query = function tracedQuery(this: pg.Client, ...args: unknown[]): unknown {
    const first = args[0] as string | { text?: unknown; submit?: unknown } | undefined;
    const text = typeof first === 'string' ? first : typeof first?.text === 'string' && first.submit === undefined ? first.text : undefined;
    if (text === undefined) return query.apply(this, args);
    const span = statementSpan(tracing, text);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: Error | undefined, result: unknown) => {
        endStatement(span, error);
        (callback as (e: Error | undefined, r: unknown) => void)(error, result);
      };
      return query.apply(this, args);
    }
    return (query.apply(this, args) as Promise<unknown>).then(
      (result) => (endStatement(span), result),
      (error: unknown) => {
        endStatement(span, error);
        throw error;
      },
    );
  } as typeof pg.Client.prototype.query;
  class TracedPool extends pg.Pool {
    constructor(config?: pg.PoolConfig) {
      super({ ...config, Client: TracedClient });
    }
  }
  const connect = pg.Pool.prototype.connect as (this: pg.Pool, ...args: unknown[]) => unknown;
  TracedPool.prototype.connect = function boundConnect(this: pg.Pool, ...args: unknown[]): unknown {
    if (typeof args[0] === 'function') args[0] = AsyncResource.bind(args[0] as (...a: unknown[]) => unknown);
    return connect.apply(this, args);
  } as typeof pg.Pool.prototype.connect;
  return TracedPool;
}

export interface PoolStats {
  used: number;
  free: number;
  pending: number;
}

/** The pools we own together (the ORM's pool has no public figures): connections in use, idle, and waiters. */
export function dbPoolStats(pools: ReadonlyArray<Pick<PgPool, 'totalCount' | 'idleCount' | 'waitingCount'>>): PoolStats {
  const stats = { used: 0, free: 0, pending: 0 };
  for (const pool of pools) {
    stats.used += pool.totalCount - pool.idleCount;
    stats.free += pool.idleCount;
    stats.pending += pool.waitingCount;
  }
  return stats;
}

/** DB_POOL_MAX split: the money pool takes half (rounded up), the plain reads half the rest (rounded up), the ORM what is left; at least one each. */
export function splitPoolMax(max: number): { orm: number; money: number; plain: number } {
  const money = Math.max(1, Math.ceil(max / 2));
  const rest = Math.max(0, max - money);
  const plain = Math.max(1, Math.ceil(rest / 2));
  return { orm: Math.max(1, rest - plain), money, plain };
}

/** `execute(sql, params)` as the ORM's Connection offers it: `?` placeholders, plain rows back. */
export interface PlainSql {
  execute<T extends object = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]>;
}

/**
 * Statements handed straight to the driver on a pool of their own: the hottest reads (`accounts`)
 * and what thousands of sockets send at once (sign-in, the run's owner check, the replay).
 * Through MikroORM and knex, each round trip cost ~10 % of a query's CPU and allocated ~15 KB
 * (query context, raw builder, logging) that a burst of subscribes promoted. Apart from the
 * money pool, so a burst never queues transfers. Named (db/statement.ts prepared): each connection
 * parses and plans each of these texts once.
 */
export function plainSql(pool: Pick<PgPool, 'query'>): PlainSql {
  return {
    async execute<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
      return (await pool.query(prepared({ sql, params }))).rows as T[];
    },
  };
}
