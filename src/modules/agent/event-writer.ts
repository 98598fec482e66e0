import type { Orm } from '../../db/orm.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic, type AgentEventPayload, type AgentEventType } from '../../pubsub/topics.js';
import type { Clock } from '../../shared/clock.js';
import { AgentEventRecord } from './agent-event.entity.js';

/**
 * Numbers a run's events 1, 2, 3 ..., stores them, then publishes them, in that order:
 * a subscriber that reads the store after subscribing misses nothing. Events that arrive
 * while a write is in flight go out together in the next multi-row insert.
 */
export class RunEventWriter {
  private seq: number;
  private pending: AgentEventPayload[] = [];
  private writing: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly orm: Orm,
    private readonly pubsub: PubSub,
    private readonly clock: Clock,
    readonly runId: string,
    readonly sessionId: string,
    lastSeq = 0,
  ) {
    this.seq = lastSeq;
  }

  emit(type: AgentEventType, data: Record<string, unknown>): AgentEventPayload {
    const event: AgentEventPayload = {
      runId: this.runId,
      sessionId: this.sessionId,
      seq: ++this.seq,
      at: this.clock.now().toISOString(),
      type,
      data,
    };
    this.pending.push(event);
    this.writing ??= this.drain();
    return event;
  }

  /** Resolves once everything emitted so far is stored and published. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        await this.orm.em.fork().insertMany(
          AgentEventRecord,
          batch.map((e) => ({ run: e.runId, sessionId: e.sessionId, seq: e.seq, type: e.type, data: e.data, at: new Date(e.at) })),
        );
        for (const event of batch) {
          await this.pubsub.publish(Topic.AGENT_RUN, event.runId, event);
          await this.pubsub.publish(Topic.CHAT_SESSION, event.sessionId, event);
        }
      }
    } catch (error) {
      this.failure ??= error;
      this.pending.length = 0;
    } finally {
      this.writing = undefined;
    }
  }
}
