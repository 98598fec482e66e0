import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topic, type AgentEventPayload } from '../../src/pubsub/topics.js';
import { createSession } from '../factories/chat.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { converse } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
});
afterAll(() => server?.stop());

async function storedSeqs(runId: string): Promise<number[]> {
  const rows = await server.app.orm.em
    .getConnection()
    .execute<Array<{ seq: number }>>('select seq from agent_event_record where run_id = ? order by seq', [runId]);
  return rows.map((r) => r.seq);
}

/** A TokenDelta's text; any other event by its type, so it fails the comparison. */
const deltaOf = (e: AgentEventPayload) => (e.type === 'TokenDelta' ? e.data.delta : e.type);

describe('the run event store', () => {
  it("stores and publishes one run's events in order while another run's write fails in the same batch", async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const finished = await converse(server, user.token, session.id, 'hello there');
    const runId = finished.run.id;
    const before = await storedSeqs(runId);
    expect(before.length).toBe(finished.events.length);

    const { deps, events } = server.app;
    const published: AgentEventPayload[] = [];
    const live = deps.pubsub.subscribe(Topic.AGENT_RUN, runId);
    void (async () => {
      for await (const event of live) published.push(event);
    })();
    // A run that is not in the database: its rows break the foreign key.
    const orphan = events.writer(randomUUID(), session.id);
    const good = events.writer(runId, session.id, before.at(-1));
    // Interleaved in one tick, so both runs' rows go into the same multi-row insert.
    for (let i = 0; i < 3; i++) {
      good.emit('TokenDelta', { messageId: null, delta: `late ${i}` });
      orphan.emit('TokenDelta', { messageId: null, delta: `orphan ${i}` });
    }
    await good.flush();
    await expect(orphan.flush()).rejects.toThrow();

    const last = before.at(-1)!;
    expect(await storedSeqs(runId)).toEqual([...before, last + 1, last + 2, last + 3]);
    expect(published.map((e) => [e.seq, deltaOf(e)])).toEqual([
      [last + 1, 'late 0'],
      [last + 2, 'late 1'],
      [last + 3, 'late 2'],
    ]);

    // A run whose write failed neither stores nor publishes anything after: no gap in its store.
    orphan.emit('TokenDelta', { messageId: null, delta: 'after the failure' });
    await expect(orphan.flush()).rejects.toThrow();
    // Text that array literals and JSON must both carry through intact.
    const awkward = 'late 3: "quoted" \\ back\\slash {a,b} NULL ñ 😀\n';
    good.emit('TokenDelta', { messageId: null, delta: awkward });
    await good.flush();
    expect(await storedSeqs(runId)).toEqual([...before, last + 1, last + 2, last + 3, last + 4]);
    expect(published.map(deltaOf)).toEqual(['late 0', 'late 1', 'late 2', awkward]);
    const [stored] = await server.app.orm.em
      .getConnection()
      .execute<Array<{ delta: string }>>(`select data->>'delta' as delta from agent_event_record where run_id = ? and seq = ?`, [runId, last + 4]);
    expect(stored?.delta).toBe(awkward);
    await live.return?.();
  });
});
