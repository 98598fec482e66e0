import type { Orm } from '../../db/orm.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic, type AgentEventPayload, type AgentEventType } from '../../pubsub/topics.js';
import type { Clock } from '../../shared/clock.js';

/** Six bind values a row keeps a statement far below PostgreSQL's 65,535. */
const MAX_ROWS = 1_000;
const INSERT = 'insert into "agent_event_record" ("run_id", "session_id", "seq", "type", "data", "at") values ';
const ROW = '(?, ?, ?, ?, ?, ?)';

/**
 * Numbers a run's events 1, 2, 3 ..., stores them, then publishes them, in that order:
 * a subscriber that reads the store after subscribing misses nothing. Once a write of
 * the run fails, its later events are neither stored nor published (no gap in the store).
 */
export class RunEventWriter {
  private seq: number;
  private readonly store: EventStore;
  private tail: Promise<void> = Promise.resolve();
  /** @internal set by the store */
  failure: { error: unknown } | undefined;

  constructor(
    orm: Orm,
    readonly pubsub: PubSub,
    private readonly clock: Clock,
    readonly runId: string,
    readonly sessionId: string,
    lastSeq = 0,
  ) {
    this.seq = lastSeq;
    this.store = storeOf(orm);
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
    if (!this.failure) this.tail = this.store.append(this, event);
    return event;
  }

  /** Resolves once everything emitted so far is stored and published. */
  async flush(): Promise<void> {
    for (let awaited: Promise<void> | undefined; awaited !== this.tail; ) await (awaited = this.tail);
    if (this.failure) throw this.failure.error;
  }
}

interface Batch {
  items: Array<{ writer: RunEventWriter; event: AgentEventPayload }>;
  done: Promise<void>;
  settle: () => void;
}

/**
 * The event store of one ORM (so of one app). Every run streaming in the process appends
 * to the same open batch, and one multi-row INSERT at a time takes it: runs share a
 * statement and a commit instead of paying one each per token. Batches are written and
 * published one after another, so each run's events keep their seq order on both sides.
 */
class EventStore {
  private readonly waiting: Batch[] = [];
  private running = false;

  constructor(private readonly orm: Orm) {}

  append(writer: RunEventWriter, event: AgentEventPayload): Promise<void> {
    let batch = this.waiting.at(-1);
    if (!batch || batch.items.length >= MAX_ROWS) this.waiting.push((batch = newBatch()));
    batch.items.push({ writer, event });
    if (!this.running) {
      this.running = true;
      void this.run();
    }
    return batch.done;
  }

  private async run(): Promise<void> {
    for (let batch = this.waiting.shift(); batch; batch = this.waiting.shift()) {
      await this.write(batch);
      batch.settle();
    }
    this.running = false;
  }

  /** Never throws: a failure is the failing run's, kept for its flush(). */
  private async write(batch: Batch): Promise<void> {
    let stored = batch.items.filter((item) => !item.writer.failure);
    if (stored.length === 0) return;
    try {
      await this.insert(stored.map((item) => item.event));
    } catch (error) {
      const runs = new Map<RunEventWriter, Batch['items']>();
      for (const item of stored) runs.set(item.writer, [...(runs.get(item.writer) ?? []), item]);
      stored = [];
      if (runs.size === 1) for (const writer of runs.keys()) writer.failure ??= { error };
      // One run's bad row (its run deleted, a seq taken twice) must not cost the other runs theirs.
      else
        for (const [writer, items] of runs) {
          try {
            await this.insert(items.map((item) => item.event));
            stored.push(...items);
          } catch (runError) {
            writer.failure ??= { error: runError };
          }
        }
    }
    // Issued in order before any is awaited: one pub/sub connection keeps that order.
    await Promise.all(
      stored.flatMap(({ writer, event }) =>
        [writer.pubsub.publish(Topic.AGENT_RUN, event.runId, event), writer.pubsub.publish(Topic.CHAT_SESSION, event.sessionId, event)].map((published) =>
          published.catch((error: unknown) => {
            writer.failure ??= { error };
          }),
        ),
      ),
    );
  }

  private async insert(events: AgentEventPayload[]): Promise<void> {
    const params: unknown[] = [];
    for (const e of events) params.push(e.runId, e.sessionId, e.seq, e.type, JSON.stringify(e.data), e.at);
    // The driver's connection only: no identity map, no unit of work, nothing of the global em's state.
    await this.orm.em.getConnection('write').execute(INSERT + Array(events.length).fill(ROW).join(', '), params, 'run');
  }
}

function newBatch(): Batch {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  return { items: [], done, settle };
}

/** One store per ORM: the app that owns the ORM owns its store (tests build several apps). */
const stores = new WeakMap<Orm, EventStore>();

function storeOf(orm: Orm): EventStore {
  let store = stores.get(orm);
  if (!store) stores.set(orm, (store = new EventStore(orm)));
  return store;
}
