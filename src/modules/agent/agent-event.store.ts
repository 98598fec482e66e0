import type { PgPool, PlainSql } from '../../db/pg.js';
import type { Orm } from '../../db/orm.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic, type AgentEventData, type AgentEventName, type AgentEventPayload } from '../../pubsub/topics.js';
import type { Clock } from '../../shared/clock.js';
import { isAgentEventName } from './agent.events.js';
import { ormSql } from '../../db/orm-sql.js';
import { prepared } from '../../db/statement.js';

/** Rows per INSERT at most: a batch is one statement, sent as six arrays. */
const MAX_ROWS = 1_000;
/** One short statement text whatever the row count, so one prepared statement serves every batch. */
const INSERT =
  'insert into "agent_event_record" ("run_id", "session_id", "seq", "type", "data", "at") ' +
  'select * from unnest(?::uuid[], ?::uuid[], ?::int[], ?::text[], ?::jsonb[], ?::timestamptz[])';

/**
 * Numbers a run's events 1, 2, 3 ..., stores them, then publishes them, in that order:
 * a subscriber that reads the store after subscribing misses nothing. Once a write of
 * the run fails, its later events are neither stored nor published (no gap in the store).
 * Made by AgentEventStore.writer.
 */
export class RunEventWriter {
  private seq: number;
  private tail: Promise<void> = Promise.resolve();
  /** @internal set by the store */
  failure: { error: unknown } | undefined;

  constructor(
    private readonly store: AgentEventStore,
    private readonly clock: Clock,
    readonly runId: string,
    readonly sessionId: string,
    lastSeq: number,
  ) {
    this.seq = lastSeq;
  }

  emit<K extends AgentEventName>(type: K, data: AgentEventData[K]): AgentEventPayload<K> {
    const event: AgentEventPayload<K> = {
      runId: this.runId,
      sessionId: this.sessionId,
      seq: ++this.seq,
      at: this.clock.now().toISOString(),
      type,
      data,
    };
    // An event of a generic K is one of the union's members; TypeScript cannot see that itself.
    if (!this.failure) this.tail = this.store.append(this, event as AgentEventPayload);
    return event;
  }

  /** Resolves once everything emitted so far is stored and published. */
  async flush(): Promise<void> {
    for (let awaited: Promise<void> | undefined; awaited !== this.tail;) await (awaited = this.tail);
    if (this.failure) throw this.failure.error;
  }
}

interface Batch {
  items: Array<{ writer: RunEventWriter; event: AgentEventPayload }>;
  done: Promise<void>;
  settle: () => void;
}

export interface AgentEventStoreOptions {
  orm: Orm;
  pubsub: PubSub;
  clock: Clock;
  /**
   * Where inserts go. On PostgreSQL a pool of one connection of its own (closed with the
   * store); on the embedded database 'orm', its pool: PGlite is one session behind its
   * socket, where another connection gains nothing and only adds a client to its queue.
   */
  connection: { pool: Pick<PgPool, 'query' | 'end'> } | 'orm';
}

/**
 * The agent event store of one app, built in app.ts. Every run streaming in the process
 * appends to the same open batch, and one multi-row INSERT at a time takes it: runs share a
 * statement and a commit instead of paying one each per token. Batches are written and
 * published one after another, so each run's events keep their seq order on both sides.
 *
 * On PostgreSQL it writes on a connection of its own, outside the ORM's pool: tokens must
 * not queue behind a burst of other database work (200 runs finishing at once, say).
 */
export class AgentEventStore {
  private readonly waiting: Batch[] = [];
  private running = false;
  private drained: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: AgentEventStoreOptions) {}

  /** A writer for one run; `lastSeq` when the run already has events (see lastSeq). */
  writer(runId: string, sessionId: string, lastSeq = 0): RunEventWriter {
    return new RunEventWriter(this, this.options.clock, runId, sessionId, lastSeq);
  }

  /** The highest seq stored for the run, 0 when it has none. */
  async lastSeq(runId: string): Promise<number> {
    const rows = await ormSql<{ seq: number | null }>(this.options.orm.em.fork(), 'select max(seq) as seq from agent_event_record where run_id = ?', [runId]);
    return rows[0]?.seq ?? 0;
  }

  /** @internal called by RunEventWriter.emit */
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
        [this.options.pubsub.publish(Topic.AGENT_RUN, event.runId, event), this.options.pubsub.publish(Topic.CHAT_SESSION, event.sessionId, event)].map(
          (published) =>
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
    const { connection, orm } = this.options;
    if (connection === 'orm') {
      // knex would spread an array binding into a list: each column goes as an array literal.
      await ormSql(orm.em.fork(), INSERT, columns.map(arrayLiteral));
      return;
    }
    if (this.closed) throw new Error('The agent event store is closed');
    // A broken connection fails the statement in flight; the pool opens another for the next batch.
    // Named (prepared): parsed and planned once on the store's connection instead of for every batch.
    // The embedded database ('orm' above) stays unnamed: its one session serves every connection, where names would collide.
    await connection.pool.query(prepared({ sql: INSERT, params: columns }));
  }

  /** After the last batch: waits for it, then closes its own connection. */
  async close(): Promise<void> {
    await this.drained;
    this.closed = true;
    if (this.options.connection !== 'orm') await this.options.connection.pool.end().catch(() => {});
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

interface EventRow {
  session_id: string;
  seq: number;
  type: string;
  data: Record<string, unknown> | string;
  at: Date | string;
}

/**
 * The run's stored events with from < seq (< to, when given), in seq order, read past the ORM
 * (db/pg.ts plainSql): an open subscription that may reread the store keeps no EntityManager
 * fork of its own.
 */
export async function readRunEventRows(sql: PlainSql, runId: string, from: number, to?: number): Promise<AgentEventPayload[]> {
  const upper = to === undefined ? '' : ' and seq < ?';
  const rows = await sql.execute<EventRow>(
    `select session_id, seq, type, data, at from agent_event_record where run_id = ? and seq > ?${upper} order by seq`,
    to === undefined ? [runId, from] : [runId, from, to],
  );
  return rows.map((r: EventRow) => {
    if (!isAgentEventName(r.type)) throw new Error(`agent event ${r.seq} of run ${runId} has an unknown type "${r.type}"`);
    const data = typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data;
    return { runId, sessionId: r.session_id, seq: Number(r.seq), at: new Date(r.at).toISOString(), type: r.type, data } as AgentEventPayload;
  });
}
