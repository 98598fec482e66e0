import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { Topic } from '../../pubsub/topics.js';
import { AgentRun } from './agent-run.entity.js';
import { AgentRunStatus } from './agent.types.js';

/**
 * Stops a user's runs without needing the runner: a cancel is a publish that the instance
 * executing the run acts on, so the auth service (and a script) can ask it from anywhere.
 */
export class RunCanceller {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'pubsub'>,
  ) {}

  /**
   * Cancels every unfinished run of a user, on whichever instance executes it, recording
   * `error` as the reason: its runs act under no session, so revoking sessions alone leaves
   * them proposing transfers. Returns how many were asked to stop.
   */
  async cancelRunsOfUser(userId: string, error: { code: string; message: string }): Promise<number> {
    const runs = await this.em.fork().find(AgentRun, { userId, status: { $in: [AgentRunStatus.QUEUED, AgentRunStatus.RUNNING] } }, { fields: ['id'] });
    for (const run of runs) await this.deps.pubsub.publish(Topic.AGENT_CANCEL, 'all', { runId: run.id, error });
    return runs.length;
  }
}
