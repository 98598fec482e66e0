import { HEARTBEAT_MS, STALE_SWEEP_MS, type AgentRunner } from '../modules/agent/agent.runner.js';
import { CHAIN_INTERVAL_MS, type AuditChainer } from '../modules/audit/audit-chainer.js';
import { expirySweepMs } from '../modules/transfers/transfer-expiry.rules.js';
import type { Logger } from '../shared/logger.js';

/** A background job of the gateway's own: its name in the log, how often it runs, what it does. */
export interface PeriodicTask {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/**
 * The fleet's upkeep timers (agent heartbeats and stale-run sweep, the pending transfers'
 * expiry, the audit chainer, linked accounts' scheduled syncs), each job owned by its module. app.ts starts them once the
 * gateway serves and stops them at shutdown; a failed tick is logged, the next one tries again.
 */
export class Maintenance {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly tasks: readonly PeriodicTask[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    for (const task of this.tasks) {
      const timer = setInterval(() => this.tick(task), task.everyMs);
      // Upkeep never keeps the process alive on its own.
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** No new ticks; waits for those under way, so nothing runs on a closed pool. */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all(this.running);
  }

  private readonly busy = new Set<PeriodicTask>();

  /** A tick that finds the task's previous one still running skips: rounds never pile up. */
  private tick(task: PeriodicTask): void {
    if (this.busy.has(task)) return;
    this.busy.add(task);
    const run = task
      .run()
      .catch((error: unknown) => this.logger.warn({ err: error }, `${task.name} failed`))
      .finally(() => {
        this.running.delete(run);
        this.busy.delete(task);
      });
    this.running.add(run);
  }
}

/** The gateway's jobs, each run by the module that owns it. */
export function gatewayMaintenance(
  parts: {
    runner: Pick<AgentRunner, 'beat' | 'sweepStale'>;
    /** Records proposals past their expiry EXPIRED (TransferService.expireDue on a fresh fork); `ttlSec` paces it. */
    transferExpiry: { ttlSec: number; expireDue(): Promise<unknown> };
    chainer: Pick<AuditChainer, 'tick'>;
    /** Linked accounts not synced for LINK_SYNC_INTERVAL (linking/sync.schedule.ts); absent when that is 0. */
    linkSync?: { everyMs: number; round(): Promise<unknown> };
  },
  logger: Logger,
): Maintenance {
  const { runner, transferExpiry, chainer, linkSync } = parts;
  return new Maintenance(
    [
      { name: 'agent heartbeat', everyMs: HEARTBEAT_MS, run: () => runner.beat() },
      { name: 'agent sweep', everyMs: STALE_SWEEP_MS, run: () => runner.sweepStale() },
      // Reads already treat an unconfirmed proposal past its expiry as expired; this records it.
      { name: 'transfer expiry sweep', everyMs: expirySweepMs(transferExpiry.ttlSec), run: () => transferExpiry.expireDue() },
      { name: 'audit chainer', everyMs: CHAIN_INTERVAL_MS, run: () => chainer.tick() },
      ...(linkSync ? [{ name: 'linked accounts sync', everyMs: linkSync.everyMs, run: () => linkSync.round() }] : []),
    ],
    logger,
  );
}
