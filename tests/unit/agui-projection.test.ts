import { EventType, type AGUIEvent } from '@ag-ui/core';
import { EventSchema } from '@ag-ui/core/schemas';
import { verifyEvents } from '@ag-ui/client';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { projectEvent, projectRun, START } from '../../src/modules/agent/agui.rules.js';
import type { AgentEventData, AgentEventName, AgentEventPayload, TransferData } from '../../src/pubsub/topics.js';

const RUN = 'run-1';
const SESSION = 'session-1';
const ANSWER = 'message-1';

/** Stored events numbered 1, 2, 3 ... as a run writes them. */
function run(...events: Array<[AgentEventName, unknown]>): AgentEventPayload[] {
  return events.map(
    ([type, data], i) =>
      ({ runId: RUN, sessionId: SESSION, seq: i + 1, at: new Date(Date.UTC(2026, 11, 7, 12, 0, i)).toISOString(), type, data }) as AgentEventPayload,
  );
}

const finished = (status: AgentEventData['RunFinished']['status'], error: { code: string; message: string } | null = null): [AgentEventName, unknown] => [
  'RunFinished',
  { status, message: null, usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 }, error },
];

const TRANSFER: TransferData = {
  id: 'transfer-1',
  status: 'PENDING_CONFIRMATION',
  origin: 'AGENT',
  amountMinor: '5000',
  currency: 'USD',
  fromAccountId: 'a1',
  toAccountId: 'a2',
  fromUserId: 'u1',
  toUserId: 'u1',
  initiatorId: 'u1',
  fromAccountNumber: '111',
  toAccountNumber: '222',
  description: 'To savings',
  idempotencyKey: 'agent:key',
  createdAt: '2026-12-07T12:00:00.000Z',
  postedAt: null,
  expiresAt: '2026-12-07T12:15:00.000Z',
};

/** A run that thinks, calls a tool, proposes a transfer and answers. */
const FULL = run(
  ['RunStarted', { userMessage: null }],
  ['ReasoningDelta', { delta: 'The user wants ' }],
  ['ReasoningDelta', { delta: 'savings.' }],
  ['ThinkingStep', { stepId: 's1', label: 'Preparing a transfer', done: false }],
  ['ToolCallStarted', { callId: 'call_1', tool: 'propose_transfer', arguments: { amountMinor: '5000' } }],
  ['TransferProposed', { transfer: TRANSFER }],
  ['ToolCallFinished', { callId: 'call_1', tool: 'propose_transfer', ok: true, result: { transferId: 'transfer-1' } }],
  ['ThinkingStep', { stepId: 's1', label: 'Preparing a transfer', done: true }],
  ['TokenDelta', { messageId: ANSWER, delta: 'Confirm ' }],
  ['TokenDelta', { messageId: ANSWER, delta: 'it.' }],
  ['MessageAdded', { message: { id: ANSWER, session: { id: SESSION }, role: 'ASSISTANT', content: 'Confirm it.', createdAt: '', runId: RUN } }],
  finished('SUCCEEDED'),
);

/** What @ag-ui/client checks on every stream it reads: the order rules of the protocol. */
async function verified(events: AGUIEvent[]): Promise<void> {
  for (const event of events) expect(EventSchema.safeParse(event).success, JSON.stringify(event)).toBe(true);
  // The client bundles an rxjs of its own: its operator is applied to ours as a plain function.
  await new Promise<void>((resolve, reject) => verifyEvents(false)(from(events) as never).subscribe({ complete: resolve, error: reject }));
}

describe('the AG-UI projection of a run', () => {
  it('turns reasoning, a step, a tool call, a proposal and the answer into AG-UI 1.0 events a client accepts', async () => {
    const events = projectRun(FULL);
    expect(events.map((e) => e.type)).toEqual([
      EventType.RUN_STARTED,
      EventType.REASONING_START,
      EventType.REASONING_MESSAGE_START,
      EventType.REASONING_MESSAGE_CONTENT,
      EventType.REASONING_MESSAGE_CONTENT,
      EventType.REASONING_MESSAGE_END,
      EventType.REASONING_END,
      EventType.STEP_STARTED,
      EventType.TOOL_CALL_START,
      EventType.TOOL_CALL_ARGS,
      EventType.TOOL_CALL_END,
      EventType.STATE_SNAPSHOT,
      EventType.TOOL_CALL_RESULT,
      EventType.STEP_FINISHED,
      EventType.TEXT_MESSAGE_START,
      EventType.TEXT_MESSAGE_CONTENT,
      EventType.TEXT_MESSAGE_CONTENT,
      EventType.TEXT_MESSAGE_END,
      EventType.RUN_FINISHED,
    ]);
    await verified(events);
    expect(events[0]).toMatchObject({ threadId: SESSION, runId: RUN });
    const reasoning = events.filter((e) => e.type === EventType.REASONING_MESSAGE_CONTENT).map((e) => e.delta);
    expect(reasoning.join('')).toBe('The user wants savings.');
    expect(events.find((e) => e.type === EventType.TOOL_CALL_ARGS)).toMatchObject({ toolCallId: 'call_1', delta: '{"amountMinor":"5000"}' });
    expect(events.find((e) => e.type === EventType.TOOL_CALL_RESULT)).toMatchObject({ toolCallId: 'call_1', content: '{"transferId":"transfer-1"}' });
    expect(events.find((e) => e.type === EventType.STATE_SNAPSHOT)).toMatchObject({
      snapshot: { draft: null, proposedTransfers: [{ id: 'transfer-1', status: 'PENDING_CONFIRMATION', amount: { minor: '5000', currency: 'USD' } }] },
    });
    expect(events.at(-1)).toMatchObject({
      outcome: { type: 'success' },
      result: { status: 'SUCCEEDED' },
      usage: [{ inputTokens: 10, outputTokens: 5, totalTokens: 15 }],
    });
  });

  it('continues exactly where any earlier stream stopped: the fold of the events before the cut, then the rest, is the whole', () => {
    const whole = projectRun(FULL);
    for (let cut = 0; cut <= FULL.length; cut++) {
      let p = START;
      const before: AGUIEvent[] = [];
      const after: AGUIEvent[] = [];
      for (const [i, event] of FULL.entries()) {
        const next = projectEvent(p, event);
        p = next.projection;
        (i < cut ? before : after).push(...next.events);
      }
      expect([...before, ...after]).toEqual(whole);
    }
  });

  it('ends a failed run with one RUN_ERROR carrying its code, after closing what was open', async () => {
    const events = projectRun(
      run(
        ['RunStarted', { userMessage: null }],
        ['TokenDelta', { messageId: ANSWER, delta: 'Half' }],
        finished('FAILED', { code: 'PROVIDER_ERROR', message: 'broke' }),
      ),
    );
    await verified(events);
    expect(events.map((e) => e.type)).toEqual([
      EventType.RUN_STARTED,
      EventType.TEXT_MESSAGE_START,
      EventType.TEXT_MESSAGE_CONTENT,
      EventType.TEXT_MESSAGE_END,
      EventType.RUN_ERROR,
    ]);
    expect(events.at(-1)).toMatchObject({ code: 'PROVIDER_ERROR', message: 'broke' });
  });

  it('finishes a cancelled run with the cancelled outcome, closing a step left open, and sends nothing after the end', async () => {
    const events = projectRun([
      ...run(
        ['RunStarted', { userMessage: null }],
        ['ThinkingStep', { stepId: 's1', label: 'Reading your accounts', done: false }],
        ['ReasoningDelta', { delta: 'hmm' }],
        finished('CANCELLED'),
      ),
      ...run(finished('FAILED')).map((e) => ({ ...e, seq: 5 })),
    ]);
    await verified(events);
    expect(events.map((e) => e.type)).toEqual([
      EventType.RUN_STARTED,
      EventType.STEP_STARTED,
      EventType.REASONING_START,
      EventType.REASONING_MESSAGE_START,
      EventType.REASONING_MESSAGE_CONTENT,
      EventType.REASONING_MESSAGE_END,
      EventType.REASONING_END,
      EventType.STEP_FINISHED,
      EventType.RUN_FINISHED,
    ]);
    expect(events.at(-1)).toMatchObject({ outcome: { type: 'cancelled' }, result: { status: 'CANCELLED' } });
  });

  it('starts a run whose only stored event is its end (interrupted before it began) with RUN_STARTED', async () => {
    const events = projectRun(run(finished('FAILED', { code: 'INTERRUPTED', message: 'The gateway restarted' })));
    await verified(events);
    expect(events.map((e) => e.type)).toEqual([EventType.RUN_STARTED, EventType.RUN_ERROR]);
  });

  it('tells apart two open steps with the same label, since a step name is open once', async () => {
    const events = projectRun(
      run(
        ['ThinkingStep', { stepId: 'a', label: 'Reading', done: false }],
        ['ThinkingStep', { stepId: 'b', label: 'Reading', done: false }],
        ['ThinkingStep', { stepId: 'b', label: 'Reading', done: true }],
        ['ThinkingStep', { stepId: 'a', label: 'Reading', done: true }],
        finished('SUCCEEDED'),
      ),
    );
    await verified(events);
    expect(events.filter((e) => e.type === EventType.STEP_FINISHED).map((e) => e.stepName)).toEqual(['Reading (b)', 'Reading']);
  });
});
