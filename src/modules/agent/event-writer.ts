import pg from 'pg';
import type { Orm } from '../../db/orm.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic, type AgentEventPayload, type AgentEventType } from '../../pubsub/topics.js';
import type { Clock } from '../../shared/clock.js';

/** Rows per INSERT at most: a batch is one statement, sent as six arrays. */
const MAX_ROWS = 1_000;
/**
 * One short statement text whatever the row count. Unnamed: the embedded database serves
 * every connection from one session, where a named prepared statement would collide.
 */
const INSERT: pg.QueryConfig = {
  text:
    'insert into "agent_event_record" ("run_id", "session_id", "seq", "type", "data", "at") ' +
    'select * from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::jsonb[], $6::timestamptz[])',
};

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
 *
 * It writes on a connection of its own, outside the ORM's pool: tokens must not queue
 * behind a burst of other database work (200 runs finishing at once, say).
 */
class EventStore {
  private readonly waiting: Batch[] = [];
  private running = false;
  private drained: Promise<void> = Promise.resolve();
  private connection: Promise<pg.Client> | undefined;
  private closed = false;

  /** ownConnection false: statements go through the ORM's pool (the embedded database, see openEventStore). */
  constructor(
    private readonly orm: Orm,
    private readonly ownConnection: boolean,
  ) {}

  append(writer: RunEventWriter, event: AgentEventPayload): Promise<void> {
    let batch = this.waiting.at(-1);
    if (!batch || batch.items.length >= MAX_ROWS) this.waiting.push((batch = newBatch()));
    batch.items.push({ writer, event });
    if (!this.running) {
      this.running = true;
      this.drained = this.run();
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
    const columns: [string[], string[], number[], string[], string[], string[]] = [[], [], [], [], [], []];
    for (const e of events) {
      columns[0].push(e.runId);
      columns[1].push(e.sessionId);
      columns[2].push(e.seq);
      columns[3].push(e.type);
      columns[4].push(JSON.stringify(e.data));
      columns[5].push(e.at);
    }
    if (!this.ownConnection) {
      // knex would spread an array binding into a list: each column goes as an array literal.
      await this.orm.em.getConnection('write').execute(INSERT.text.replace(/\$\d+/g, '?'), columns.map(arrayLiteral), 'run');
      return;
    }
    const client = await this.connect();
    await client.query({ ...INSERT, values: columns });
  }

  /** Opened on first use, again after it broke. */
  private connect(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('The agent event store is closed'));
    const opening = (this.connection ??= (async () => {
      const client = new pg.Client({ connectionString: this.orm.config.get('clientUrl'), application_name: 'coach-gateway agent events' });
      // A broken connection fails the statement in flight; the next batch opens another.
      client.on('error', () => {
        if (this.connection === opening) this.connection = undefined;
      });
      await client.connect();
      return client;
    })());
    opening.catch(() => {
      if (this.connection === opening) this.connection = undefined;
    });
    return opening;
  }

  /** After the last batch: waits for it, then closes the connection. */
  async close(): Promise<void> {
    await this.drained;
    this.closed = true;
    const client = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    await client?.end().catch(() => {});
  }
}

/** A PostgreSQL array literal of these values, each quoted: `{"a","b \\"c\\""}`. */
export function arrayLiteral(values: ReadonlyArray<string | number>): string {
  return `{${values.map((v) => `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
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
  if (!store) stores.set(orm, (store = new EventStore(orm, true)));
  return store;
}

/**
 * Sets up the ORM's event store before any run writes. On PostgreSQL it writes on a
 * connection of its own; on the embedded database it shares the ORM's pool, because
 * PGlite is one session behind its socket, where another connection gains nothing and
 * only adds one more client to its queue.
 */
export function openEventStore(orm: Orm, options: { ownConnection: boolean }): void {
  if (!stores.has(orm)) stores.set(orm, new EventStore(orm, options.ownConnection));
}

/** Closes the ORM's event store connection, after what was emitted is written. */
export async function closeEventStore(orm: Orm): Promise<void> {
  await stores.get(orm)?.close();
  stores.delete(orm);
}
