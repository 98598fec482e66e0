import type { Logger } from '../../shared/logger.js';
import { CHAIN_PENDING_SQL } from './audit.sql.js';

/** What the chainer needs: one statement, run in its own transaction (autocommit). */
export interface ChainerSql {
  execute<T extends object>(sql: string, params: unknown[]): Promise<T[]>;
}

/** Rows one tick chains at most: a tick stays short, a backlog drains over a few. */
const BATCH = 2_000;

/**
 * Gives new audit rows their place in their chain soon after they commit, so the transaction
 * that recorded them (a transfer holding its account locks) never waits on a chain lock or
 * hashes. In a fleet the instances take turns: a tick that finds another chaining skips.
 */
export class AuditChainer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: () => ChainerSql,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.running = this.tick().catch((error: unknown) => this.logger.warn({ err: error }, 'audit chainer failed'));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    await this.sql().execute(CHAIN_PENDING_SQL, [BATCH, false]);
  }
}
