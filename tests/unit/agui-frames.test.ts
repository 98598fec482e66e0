import { describe, expect, it } from 'vitest';
import { projectEvent, START, type AgUiProjection } from '../../src/modules/agent/agui.rules.js';
import type { AgentEventName, AgentEventPayload } from '../../src/pubsub/topics.js';
import { createAgUiFrames, type AgUiFrame } from '../../src/server/agui-frames.js';

/** Stored events numbered 1, 2, 3 ... as a run writes them; each call makes new objects (a reader's own rows from the store). */
function rows(): AgentEventPayload[] {
  const events: Array<[AgentEventName, unknown]> = [
    ['RunStarted', { userMessage: null }],
    ['ReasoningDelta', { delta: 'Think.' }],
    ['TokenDelta', { messageId: 'm1', delta: 'first ' }],
    ['TokenDelta', { messageId: 'm1', delta: 'words ' }],
    ['ThinkingStep', { stepId: 's1', label: 'Reading accounts', done: false }],
    ['TokenDelta', { messageId: 'm1', delta: 'and the rest' }],
    ['RunFinished', { status: 'SUCCEEDED', message: null, usage: null, error: null }],
  ];
  return events.map(
    ([type, data], i) =>
      ({ runId: 'r1', sessionId: 's', seq: i + 1, at: new Date(Date.UTC(2026, 11, 7, 12, 0, i)).toISOString(), type, data }) as AgentEventPayload,
  );
}

/** The sharing module with a projection that counts its calls. */
function counted() {
  let projected = 0;
  let encoded = 0;
  const frames = createAgUiFrames({
    project: (before, event) => {
      projected++;
      return projectEvent(before, event);
    },
    encoded: () => encoded++,
  });
  return { frames, projected: () => projected, encoded: () => encoded };
}

/** A reader folding `events` from `from`: its frames and where it stands. */
function read(frames: ReturnType<typeof createAgUiFrames>, events: readonly AgentEventPayload[], from: AgUiProjection = START) {
  let projection = from;
  const out: AgUiFrame[] = [];
  for (const event of events) {
    const frame = frames.next(projection, event);
    projection = frame.projection;
    out.push(frame);
  }
  return { projection, frames: out, bytes: out.map((f) => f.bytes?.toString() ?? '').join('') };
}

/** What a stream of its own writes for these events: every AG-UI event, the last of each stored event with its seq as the id. */
function alone(events: readonly AgentEventPayload[]): string {
  return read(createAgUiFrames(), events).bytes;
}

describe('one projection and one encoding per live event for the AG-UI readers of a run (agui-frames.ts)', () => {
  it('gives readers at the same point of a live event the same bytes, projected once', () => {
    const live = rows();
    const { frames, projected, encoded } = counted();
    const [a, b] = [read(frames, live), read(frames, live)];
    expect(projected()).toBe(live.length);
    expect(encoded()).toBe(live.length);
    b.frames.forEach((frame, i) => expect(frame.bytes).toBe(a.frames[i]!.bytes));
    expect(a.bytes).toBe(alone(rows()));
    expect(a.bytes).toContain('id: 7\ndata: {"type":"RUN_FINISHED"');
  });

  it("joins a reader that replayed its own rows to the others at the first live event, from then on by the others' projection", () => {
    const live = rows();
    const { frames, projected } = counted();
    const first = read(frames, live);
    // The second reader's first four events came from the store (rows of its own), the rest live.
    const replayed = read(frames, rows().slice(0, 4));
    expect(projected()).toBe(live.length + 4);
    const joined = read(frames, live.slice(4), replayed.projection);
    expect(projected()).toBe(live.length + 4);
    joined.frames.forEach((frame, i) => expect(frame).toBe(first.frames[4 + i]));
    expect(joined.projection).toBe(first.projection);
    expect(replayed.bytes + joined.bytes).toBe(first.bytes);
  });

  it('never hands a reader standing elsewhere the frame made from another point', () => {
    const live = rows();
    const { frames, projected } = counted();
    const first = read(frames, live);
    // A reader that holds an open reasoning message the others closed long ago (a different past): its own frame.
    const elsewhere: AgUiProjection = { ...first.frames[1]!.projection };
    const own = frames.next(elsewhere, live[4]!);
    expect(projected()).toBe(live.length + 1);
    expect(own).not.toBe(first.frames[4]);
    expect(own.bytes!.toString()).toContain('"REASONING_MESSAGE_END"');
    expect(own.bytes!.toString()).not.toBe(first.frames[4]!.bytes!.toString());
    // Its next step from that standing is its own as well, and what a stream of its own writes.
    const ownNext = frames.next(own.projection, live[5]!);
    expect(ownNext).not.toBe(first.frames[5]);
    expect(projected()).toBe(live.length + 2);
    expect(ownNext.bytes!.toString()).toBe(createAgUiFrames().next(own.projection, rows()[5]!).bytes!.toString());
  });

  it('projects replayed rows per reader: equal rows are not the same event', () => {
    const { frames, projected } = counted();
    const [a, b] = [read(frames, rows()), read(frames, rows())];
    expect(projected()).toBe(2 * rows().length);
    expect(b.bytes).toBe(a.bytes);
  });
});
