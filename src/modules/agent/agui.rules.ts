import { EventType, type AGUIEvent, type TokenUsage } from '@ag-ui/core';
import type { AgentEventData, AgentEventPayload, DraftSnapshot, TransferData } from '../../pubsub/topics.js';

/**
 * What an AG-UI client holds as the run's shared state (STATE_SNAPSHOT): the session's draft
 * and the transfers the assistant proposed, each to be confirmed or cancelled over GraphQL.
 */
export interface AgUiState {
  draft: { id: string; sections: Array<{ name: string; content: string }>; updatedAt: string } | null;
  proposedTransfers: AgUiTransfer[];
}

/** A proposal as it was made; confirmTransfer or cancelTransfer (GraphQL) answers it before expiresAt. */
export interface AgUiTransfer {
  id: string;
  status: string;
  amount: { minor: string; currency: string };
  fromAccountNumber: string | null;
  toAccountNumber: string;
  description: string | null;
  createdAt: string;
  expiresAt: string | null;
}

/** Where a run's AG-UI stream stands after some of its stored events. */
export interface AgUiProjection {
  started: boolean;
  /** RUN_FINISHED or RUN_ERROR was sent: nothing follows it. */
  ended: boolean;
  /** The open text message, and the last one (the parent of a tool call that follows it). */
  text: string | null;
  lastText: string | null;
  /** The open reasoning message. */
  reasoning: string | null;
  /** Open steps: stepId -> the name STEP_STARTED gave it. */
  steps: Readonly<Record<string, string>>;
  state: AgUiState;
}

export const START: AgUiProjection = {
  started: false,
  ended: false,
  text: null,
  lastText: null,
  reasoning: null,
  steps: {},
  state: { draft: null, proposedTransfers: [] },
};

export interface Projected {
  projection: AgUiProjection;
  events: AGUIEvent[];
}

/**
 * The AG-UI events of one stored agent event, given the events before it: a pure fold, so a
 * resumed stream (the same fold over the earlier events, their output dropped) continues exactly
 * where the first one stopped. Exactly one RUN_FINISHED or RUN_ERROR, always last.
 */
export function projectEvent(before: AgUiProjection, event: AgentEventPayload): Projected {
  if (before.ended || event.type === 'ActiveLeafChanged') return { projection: before, events: [] };
  const timestamp = Date.parse(event.at);
  const out: AGUIEvent[] = [];
  let p = before;
  if (!p.started) {
    out.push({ type: EventType.RUN_STARTED, threadId: event.sessionId, runId: event.runId, timestamp });
    p = { ...p, started: true };
  }
  // Reasoning closes when anything else happens; text when the assistant turns to a step or tool.
  if (event.type !== 'ReasoningDelta') p = closeReasoning(p, out, timestamp);
  if (event.type !== 'TokenDelta' && event.type !== 'MessageAdded') p = closeText(p, out, timestamp);

  switch (event.type) {
    case 'ReasoningDelta': {
      if (event.data.delta === '') break;
      if (!p.reasoning) {
        const messageId = `${event.runId}:reasoning:${event.seq}`;
        out.push({ type: EventType.REASONING_START, messageId, timestamp });
        out.push({ type: EventType.REASONING_MESSAGE_START, messageId, role: 'reasoning', timestamp });
        p = { ...p, reasoning: messageId };
      }
      out.push({ type: EventType.REASONING_MESSAGE_CONTENT, messageId: p.reasoning!, delta: event.data.delta, timestamp });
      break;
    }
    case 'TokenDelta': {
      if (event.data.delta === '') break;
      if (!p.text) {
        const messageId = event.data.messageId ?? `${event.runId}:answer`;
        out.push({ type: EventType.TEXT_MESSAGE_START, messageId, role: 'assistant', timestamp });
        p = { ...p, text: messageId, lastText: messageId };
      }
      out.push({ type: EventType.TEXT_MESSAGE_CONTENT, messageId: p.text!, delta: event.data.delta, timestamp });
      break;
    }
    case 'ThinkingStep':
      p = step(p, event.data, out, timestamp);
      break;
    case 'ToolCallStarted': {
      const toolCallId = event.data.callId;
      out.push({
        type: EventType.TOOL_CALL_START,
        toolCallId,
        toolCallName: event.data.tool,
        ...(p.lastText ? { parentMessageId: p.lastText } : {}),
        timestamp,
      });
      out.push({ type: EventType.TOOL_CALL_ARGS, toolCallId, delta: JSON.stringify(event.data.arguments ?? {}), timestamp });
      out.push({ type: EventType.TOOL_CALL_END, toolCallId, timestamp });
      break;
    }
    case 'ToolCallFinished':
      out.push({
        type: EventType.TOOL_CALL_RESULT,
        messageId: `${event.data.callId}:result`,
        toolCallId: event.data.callId,
        role: 'tool',
        content: JSON.stringify(event.data.result ?? null),
        timestamp,
      });
      break;
    case 'DraftUpdated':
      p = snapshot(p, { ...p.state, draft: draftOf(event.data.draft) }, out, timestamp);
      break;
    case 'TransferProposed':
      p = snapshot(p, { ...p.state, proposedTransfers: [...p.state.proposedTransfers, transferOf(event.data.transfer)] }, out, timestamp);
      break;
    case 'ProviderFallback':
      out.push({ type: EventType.CUSTOM, name: 'ProviderFallback', value: { ...event.data }, timestamp });
      break;
    case 'RunFinished':
      p = closeText(closeSteps(p, out, timestamp), out, timestamp);
      out.push(terminal(event.runId, event.sessionId, event.data, timestamp));
      p = { ...p, ended: true };
      break;
    case 'RunStarted':
    case 'MessageAdded':
      // The user's message is the client's own; the assistant's streamed as TEXT_MESSAGE_*.
      break;
  }
  return { projection: p, events: out };
}

/** Every AG-UI event of these stored events, in order: what a stream from the start sends. */
export function projectRun(events: readonly AgentEventPayload[]): AGUIEvent[] {
  let p = START;
  const out: AGUIEvent[] = [];
  for (const event of events) {
    const next = projectEvent(p, event);
    p = next.projection;
    out.push(...next.events);
  }
  return out;
}

function terminal(runId: string, threadId: string, data: AgentEventData['RunFinished'], timestamp: number): AGUIEvent {
  const usage: TokenUsage[] | undefined = data.usage
    ? [{ inputTokens: data.usage.promptTokens, outputTokens: data.usage.completionTokens, totalTokens: data.usage.totalTokens }]
    : undefined;
  const extra = usage ? { usage } : {};
  if (data.status === 'FAILED') {
    return { type: EventType.RUN_ERROR, message: data.error?.message ?? 'The run failed', code: data.error?.code ?? 'INTERNAL', timestamp, ...extra };
  }
  // A cancelled run keeps its partial answer: it finished, as the user asked, rather than failed.
  const cancelled = data.status === 'CANCELLED';
  return {
    type: EventType.RUN_FINISHED,
    threadId,
    runId,
    outcome: cancelled ? { type: 'cancelled' } : { type: 'success' },
    result: { status: data.status, messageId: data.message?.id ?? null, error: data.error },
    timestamp,
    ...extra,
  };
}

function closeReasoning(p: AgUiProjection, out: AGUIEvent[], timestamp: number): AgUiProjection {
  if (!p.reasoning) return p;
  out.push({ type: EventType.REASONING_MESSAGE_END, messageId: p.reasoning, timestamp });
  out.push({ type: EventType.REASONING_END, messageId: p.reasoning, timestamp });
  return { ...p, reasoning: null };
}

function closeText(p: AgUiProjection, out: AGUIEvent[], timestamp: number): AgUiProjection {
  if (!p.text) return p;
  out.push({ type: EventType.TEXT_MESSAGE_END, messageId: p.text, timestamp });
  return { ...p, text: null };
}

function closeSteps(p: AgUiProjection, out: AGUIEvent[], timestamp: number): AgUiProjection {
  for (const stepName of Object.values(p.steps)) out.push({ type: EventType.STEP_FINISHED, stepName, timestamp });
  return Object.keys(p.steps).length ? { ...p, steps: {} } : p;
}

/** STEP_STARTED and STEP_FINISHED by label; two open steps with one label are told apart by id (a step name is open once). */
function step(p: AgUiProjection, data: AgentEventData['ThinkingStep'], out: AGUIEvent[], timestamp: number): AgUiProjection {
  const open = p.steps[data.stepId];
  if (data.done) {
    if (open === undefined) return p;
    out.push({ type: EventType.STEP_FINISHED, stepName: open, timestamp });
    const { [data.stepId]: _closed, ...rest } = p.steps;
    return { ...p, steps: rest };
  }
  if (open !== undefined) return p;
  const stepName = Object.values(p.steps).includes(data.label) ? `${data.label} (${data.stepId})` : data.label;
  out.push({ type: EventType.STEP_STARTED, stepName, timestamp });
  return { ...p, steps: { ...p.steps, [data.stepId]: stepName } };
}

function snapshot(p: AgUiProjection, state: AgUiState, out: AGUIEvent[], timestamp: number): AgUiProjection {
  out.push({ type: EventType.STATE_SNAPSHOT, snapshot: state, timestamp });
  return { ...p, state };
}

function draftOf(d: DraftSnapshot): AgUiState['draft'] {
  return { id: d.id, sections: d.sections.map((s) => ({ name: s.name, content: s.content })), updatedAt: d.updatedAt };
}

function transferOf(t: TransferData): AgUiTransfer {
  return {
    id: t.id,
    status: t.status,
    amount: { minor: t.amountMinor, currency: t.currency },
    fromAccountNumber: t.fromAccountNumber,
    toAccountNumber: t.toAccountNumber,
    description: t.description,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
  };
}
