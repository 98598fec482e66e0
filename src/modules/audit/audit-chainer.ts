import { CHAIN_PENDING_SQL } from './audit.sql.js';

/** What the chainer needs: one statement, run in its own transaction (autocommit). */
export interface ChainerSql {
  execute<T extends object>(sql: string, params: unknown[]): Promise<T[]>;
}

/** Rows one tick chains at most: a tick stays short, a backlog drains over a few. */
const BATCH = 2_000;
/** How soon a new audit row gets its place in its chain. */
export const CHAIN_INTERVAL_MS = 1_000;

/**
 * Gives new audit rows their place in their chain soon after they commit, so the transaction
 * that recorded them (a transfer holding its account locks) never waits on a chain lock or
 * hashes. In a fleet the instances take turns: a tick that finds another chaining skips.
 */
export class AuditChainer {
  constructor(private readonly sql: () => ChainerSql) {}

  /** One tick (every CHAIN_INTERVAL_MS, server/maintenance.ts). */
  async tick(): Promise<void> {
    await this.sql().execute(CHAIN_PENDING_SQL, [BATCH, false]);
  }
}
