import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryPubSub } from '../../src/pubsub/memory.pubsub.js';
import { fromStore, replayThenLive } from '../../src/pubsub/replay.js';
import { Topic, type AgentEventPayload } from '../../src/pubsub/topics.js';

const RUN = 'run-1';

function event(seq: number, last = false): AgentEventPayload {
  const envelope = { runId: RUN, sessionId: 'session-1', seq, at: new Date(seq * 1000).toISOString() };
  return last
    ? { ...envelope, type: 'RunFinished', data: { status: 'SUCCEEDED', message: null, usage: null, error: null } }
    : { ...envelope, type: 'TokenDelta', data: { messageId: 'm', delta: `t${seq}` } };
}

/** An array standing in for the event store, recording each read's bounds. */
function arrayStore(events: AgentEventPayload[] = []) {
  const reads: Array<[number, number | undefined]> = [];
  return {
    events,
    reads,
    read: async (from: number, to?: number) => {
      reads.push([from, to]);
      return events.filter((e) => e.seq > from && (to === undefined || e.seq < to));
    },
  };
}

function watch(pubsub: MemoryPubSub, store: ReturnType<typeof arrayStore>, options: { after?: number; lossy?: boolean } = {}) {
  return replayThenLive({
    live: pubsub.subscribe(Topic.AGENT_RUN, RUN),
    read: store.read,
    after: options.after ?? 0,
    isLast: (e) => e.type === 'RunFinished',
    lossy: options.lossy ?? false,
    pollMs: 3_000,
    onError: (error) => {
      throw error;
    },
  });
}

async function seqsOf(stream: AsyncIterable<AgentEventPayload>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const e of stream) seqs.push(e.seq);
  return seqs;
}

const publish = (pubsub: MemoryPubSub, ...events: AgentEventPayload[]) => Promise.all(events.map((e) => pubsub.publish(Topic.AGENT_RUN, RUN, e)));

afterEach(() => {
  vi.useRealTimers();
});

describe('replayThenLive', () => {
  it('replays the store, then streams live, once each when an event is both stored and queued, and ends after the last', async () => {
    const pubsub = new MemoryPubSub();
    const store = arrayStore([event(1), event(2), event(3)]);
    const stream = watch(pubsub, store);
    // Published after subscribing but before the store was read: 3 is in both.
    await publish(pubsub, event(3), event(4), event(5, true));
    expect(await seqsOf(stream)).toEqual([1, 2, 3, 4, 5]);
    expect(pubsub.subscriberCount).toBe(0);
  });

  it('tells items read from the store (which a writer may pace to its reader) from live ones, invisibly to JSON and spreads', async () => {
    const pubsub = new MemoryPubSub();
    const stream = watch(pubsub, arrayStore([event(1), event(2)]));
    const items: AgentEventPayload[] = [];
    await publish(pubsub, event(2), event(3), event(4, true));
    for await (const e of stream) items.push(e);
    expect(items.map((e) => [e.seq, fromStore(e)])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [4, false],
    ]);
    expect(JSON.stringify(items[0])).toBe(JSON.stringify(event(1)));
    expect(fromStore({ ...items[0]! })).toBe(false);
  });

  it('starts after `after`', async () => {
    const pubsub = new MemoryPubSub();
    const stream = watch(pubsub, arrayStore([event(1), event(2), event(3, true)]), { after: 1 });
    expect(await seqsOf(stream)).toEqual([2, 3]);
  });

  it('fills a gap in the live stream (seq 3 then 6) from the store', async () => {
    const pubsub = new MemoryPubSub();
    const store = arrayStore([event(1), event(2)]);
    const stream = watch(pubsub, store);
    expect((await stream.next()).value?.seq).toBe(1);
    expect((await stream.next()).value?.seq).toBe(2);
    store.events.push(event(3), event(4), event(5), event(6), event(7, true));
    // 4 and 5 were lost on the way; the store has them.
    await publish(pubsub, event(3), event(6), event(7, true));
    expect(await seqsOf(stream)).toEqual([3, 4, 5, 6, 7]);
    expect(store.reads).toContainEqual([3, 6]);
  });

  it('on a lossy transport, polls the store and ends with a last event that was never published', async () => {
    vi.useFakeTimers();
    const pubsub = new MemoryPubSub();
    const store = arrayStore([event(1)]);
    const stream = watch(pubsub, store, { lossy: true });
    expect((await stream.next()).value?.seq).toBe(1);
    store.events.push(event(2), event(3, true));
    const rest = seqsOf(stream);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await rest).toEqual([2, 3]);
    expect(pubsub.subscriberCount).toBe(0);
    // The poll stops with the stream.
    const reads = store.reads.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(store.reads.length).toBe(reads);
  });

  it('keeps 1,000 events pushed before a slow consumer reads, in order, and unsubscribes on return()', async () => {
    const pubsub = new MemoryPubSub();
    const stream = watch(pubsub, arrayStore());
    const seqs = Array.from({ length: 1_000 }, (_, i) => i + 1);
    await publish(pubsub, ...seqs.map((seq) => event(seq)));
    const got: number[] = [];
    for (const _ of seqs) got.push((await stream.next()).value!.seq);
    expect(got).toEqual(seqs);
    expect(pubsub.subscriberCount).toBe(1);
    await stream.return!();
    expect(pubsub.subscriberCount).toBe(0);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('ends the stream with the error when the store cannot be read', async () => {
    const pubsub = new MemoryPubSub();
    const stream = replayThenLive<AgentEventPayload>({
      live: pubsub.subscribe(Topic.AGENT_RUN, RUN),
      read: () => Promise.reject(new Error('database down')),
      after: 0,
      isLast: () => false,
      lossy: false,
      pollMs: 3_000,
      onError: () => {},
    });
    await expect(stream.next()).rejects.toThrow('database down');
    expect(pubsub.subscriberCount).toBe(0);
  });
});
