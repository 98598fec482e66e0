import type pg from 'pg';
import { withRetry } from '../shared/transactions.js';
import { oneStatement, prepared, type PgResult, type Stmt } from './statement.js';

/*
 * The money transaction past the ORM. Every statement carries its values as bound parameters,
 * and the extended protocol takes one statement per query, so BEGIN and COMMIT are queries of
 * their own (pg deprecates queueing a query behind another, so each is awaited in turn): the
 * callers keep the count down by sending few, wide statements, and the commit's writes go as one.
 */

type Queryable = Pick<pg.PoolClient, 'query'>;

/** An open transaction on one connection; the first send opens it. */
export class RawTx {
  private begun = false;
  /** COMMIT was sent: the transaction is over whatever came back. */
  private ended = false;

  constructor(private readonly client: Queryable) {}

  get committed(): boolean {
    return this.ended;
  }

  /** The statements in order, one result each. */
  async send(...stmts: Stmt[]): Promise<PgResult[]> {
    await this.begin();
    const results: PgResult[] = [];
    for (const s of stmts) results.push(await this.run(s));
    return results;
  }

  /** The last writes as one statement, then COMMIT; the rows the last write returned. */
  async commit(...writes: Stmt[]): Promise<PgResult> {
    if (!this.begun && writes.length === 0) {
      this.ended = true;
      return { rows: [] };
    }
    await this.begin();
    const result = writes.length === 0 ? { rows: [] } : await this.run(oneStatement(writes));
    this.ended = true;
    await this.client.query('commit');
    return result;
  }

  /** After a failure: end the transaction, so the connection goes back to the pool clean. */
  async rollback(): Promise<void> {
    if (this.begun && !this.ended) await this.client.query('rollback');
  }

  private async begin(): Promise<void> {
    if (this.begun) return;
    this.begun = true;
    await this.client.query('begin');
  }

  private run(s: Stmt): Promise<PgResult> {
    return this.client.query(prepared(s));
  }
}

/**
 * Runs `work` in one transaction on a connection of `pool`. `work` commits with its last
 * writes (if it returns without, an empty COMMIT follows); a throw rolls back. Serialization
 * failures and deadlocks run it again (withRetry), so callers never see them.
 */
export function rawTransaction<T>(pool: Pick<pg.Pool, 'connect'>, work: (tx: RawTx) => Promise<T>): Promise<T> {
  return withRetry(async () => {
    const client = await pool.connect();
    const tx = new RawTx(client);
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
