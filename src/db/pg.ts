import pg from 'pg';
import { withRetry } from '../shared/transactions.js';
import type { Orm } from './orm.js';

/*
 * The only file in src/ that talks to the PostgreSQL driver or reaches below the ORM.
 * The money path runs on a pool of its own: MikroORM's public API can open a transaction,
 * but BEGIN and COMMIT would each cost a round trip, where here they ride along with the
 * statements (two round trips in all while the row locks are held).
 */

export type PgPool = pg.Pool;
export type PgPoolClient = pg.PoolClient;

export interface PgResult {
  rows: Array<Record<string, unknown>>;
}

/** One statement: `?` placeholders, values formatted by the ORM's platform. */
export interface Stmt {
  sql: string;
  params: unknown[];
}

/** `orm.em.getPlatform().formatQuery`: values escaped exactly as the ORM escapes them. */
export type FormatQuery = (sql: string, params: unknown[]) => string;

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

/** An open transaction: every send is one round trip; the first one opens the transaction. */
export class RawTx {
  private begun = false;
  committed = false;

  constructor(
    private readonly client: Pick<PgPoolClient, 'query'>,
    private readonly format: FormatQuery,
  ) {}

  /** Runs the statements in order in one round trip; one result per statement. */
  send(...stmts: Stmt[]): Promise<PgResult[]> {
    return this.run(stmts, false);
  }

  /** The last writes and COMMIT in one round trip. */
  async commit(...stmts: Stmt[]): Promise<PgResult[]> {
    const results = this.begun || stmts.length > 0 ? await this.run(stmts, true) : [];
    this.committed = true;
    return results;
  }

  /** After a failure: end the transaction, so the connection goes back to the pool clean. */
  async rollback(): Promise<void> {
    if (this.begun && !this.committed) await this.raw(['rollback']);
  }

  private async run(stmts: Stmt[], commit: boolean): Promise<PgResult[]> {
    const texts = stmts.map((s) => this.format(s.sql, s.params));
    const lead = this.begun ? 0 : 1;
    if (!this.begun) texts.unshift('begin');
    if (commit) texts.push('commit');
    this.begun = true;
    const results = await this.raw(texts);
    return results.slice(lead, lead + stmts.length);
  }

  private async raw(texts: string[]): Promise<PgResult[]> {
    // Several statements in one text go by the simple protocol: one result each.
    const res = (await this.client.query(texts.join(';\n'))) as unknown as PgResult | PgResult[];
    return Array.isArray(res) ? res : [res];
  }
}

/**
 * Runs `work` in one transaction on a connection of `pool`. `work` commits with its last
 * writes (if it returns without, an empty COMMIT follows); a throw rolls back. Serialization
 * failures and deadlocks run it again (withRetry), so callers never see them.
 */
export function rawTransaction<T>(pool: Pick<PgPool, 'connect'>, format: FormatQuery, work: (tx: RawTx) => Promise<T>): Promise<T> {
  return withRetry(async () => {
    const client = await pool.connect();
    const tx = new RawTx(client, format);
    let broken: Error | undefined;
    try {
      const result = await work(tx);
      if (!tx.committed) await tx.commit();
      return result;
    } catch (error) {
      try {
        await tx.rollback();
      } catch (rollbackError) {
        // A connection that cannot roll back is destroyed, not handed to anyone else.
        broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
      }
      throw error;
    } finally {
      client.release(broken);
    }
  });
}

export interface PoolStats {
  used: number;
  free: number;
  pending: number;
}

interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** The ORM's pool and the money pool together, so the metric series mean what they always did. */
export function dbPoolStats(orm: Orm, pool: PgPool): PoolStats | null {
  const ormPool = (orm.em.getConnection().getKnex().client as { pool?: KnexPool }).pool;
  if (!ormPool) return null;
  return {
    used: ormPool.numUsed() + pool.totalCount - pool.idleCount,
    free: ormPool.numFree() + pool.idleCount,
    pending: ormPool.numPendingAcquires() + pool.waitingCount,
  };
}

/** DB_POOL_MAX split: the money pool takes half (rounded up), the ORM the rest, at least one each. */
export function splitPoolMax(max: number): { orm: number; money: number } {
  const money = Math.max(1, Math.ceil(max / 2));
  return { orm: Math.max(1, max - money), money };
}

/** The ORM's own escaping (of `orm.em` or a request's EntityManager), for statements sent past the ORM. */
export function formatOf(em: Pick<Orm['em'], 'getPlatform'>): FormatQuery {
  const platform = em.getPlatform();
  return (sql, params) => platform.formatQuery(sql, params);
}

/** A statement with `?` placeholders. */
export const stmt = (sql: string, params: unknown[]): Stmt => ({ sql, params });

/** `execute(sql, params)` as the ORM's Connection offers it, `?` placeholders and plain rows back, minus the ORM's path. */
export interface PlainSql {
  execute<T extends object = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]>;
}

interface KnexClient {
  acquireConnection(): Promise<Pick<PgPoolClient, 'query'>>;
  releaseConnection(connection: unknown): Promise<void>;
}

/**
 * Statements on the ORM's own connections, handed straight to the driver: for the hottest reads
 * (`accounts`) and what thousands of sockets send at once (sign-in, the run's owner check, the
 * replay). Through MikroORM and knex, each round trip cost ~10 % of a query's CPU and allocated
 * ~15 KB (query context, raw builder, logging) that a burst of subscribes promoted. On the ORM's
 * pool, not the money pool, so a burst never queues transfers.
 */
export function plainSql(orm: Orm): PlainSql {
  const client = orm.em.getConnection().getKnex().client as KnexClient;
  const format = formatOf(orm.em);
  return {
    async execute<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
      const connection = await client.acquireConnection();
      try {
        return (await connection.query(format(sql, params))).rows as T[];
      } finally {
        await client.releaseConnection(connection);
      }
    },
  };
}

const MARKS = Array.from({ length: 20 }, (_, n) => Array.from({ length: n }, () => '?').join(', '));
/** `?, ?, ?` for n values. */
export const marks = (n: number): string => MARKS[n] ?? Array.from({ length: n }, () => '?').join(', ');
