import pg from 'pg';
import { positional } from './statement.js';

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
}

/** A pool of our own. Connections open on first use, so an unused pool costs nothing. */
export function openPgPool(url: string, options: PgPoolOptions): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    application_name: options.applicationName,
    idleTimeoutMillis: options.idleTimeoutMillis,
  });
  // Without a listener an idle connection's error would crash the process.
  pool.on('error', (error) => options.onError?.(error));
  return pool;
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
 * money pool, so a burst never queues transfers.
 */
export function plainSql(pool: Pick<PgPool, 'query'>): PlainSql {
  return {
    async execute<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
      return (await pool.query(positional(sql), params)).rows as T[];
    },
  };
}
