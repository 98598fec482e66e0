import { Field, ID, Int, InterfaceType, ObjectType, type ClassType } from 'type-graphql';
import { JSONScalar } from '../../shared/scalars.js';
import type { AgentEventData, AgentEventName, AgentEventOf } from '../../pubsub/topics.js';
import { Message } from '../chat/message.entity.js';
import { Draft } from '../drafts/draft.entity.js';
import { TransferView } from '../transfers/transfer.types.js';
import { AgentError, AgentRunStatus, TokenUsage } from './agent.types.js';

@InterfaceType('AgentEvent', {
  description: 'Events of one run carry seq 1, 2, 3 ... with no gaps, in the order they happened.',
  resolveType: (value: { __type: string }) => value.__type,
})
export abstract class AgentEvent {
  @Field(() => ID, { description: 'The run this event belongs to.' })
  runId!: string;

  @Field(() => ID, { description: 'The chat session of the run.' })
  sessionId!: string;

  @Field(() => Int, {
    description: "Position in the run: 1, 2, 3 ... with no gaps. Pass the last one seen as agentEvents' afterSeq to resume after a disconnect.",
  })
  seq!: number;

  @Field(() => Date, { description: 'When the event happened (UTC).' })
  at!: Date;
}

@ObjectType({ description: "Always the run's first event (seq 1).", implements: AgentEvent })
export class RunStarted extends AgentEvent {
  @Field(() => Message, { description: 'The message that started the run.' })
  userMessage!: Message;
}

@ObjectType({ description: "A message was stored in the session: the user's, or the assistant's final answer.", implements: AgentEvent })
export class MessageAdded extends AgentEvent {
  @Field(() => Message, { description: 'The message as stored.' })
  message!: Message;
}

@ObjectType({ implements: AgentEvent, description: "A human-readable step of the agent's work, e.g. 'Reading your accounts'." })
export class ThinkingStep extends AgentEvent {
  @Field(() => ID, { description: 'Identifies the step across its start and end events.' })
  stepId!: string;

  @Field(() => String, { description: 'Short text to show, e.g. "Reading your accounts".' })
  label!: string;

  @Field(() => Boolean, {
    description: 'False while the step is in progress, true once it is done; a step is usually sent twice with the same stepId, first false, then true.',
  })
  done!: boolean;
}

@ObjectType({ implements: AgentEvent, description: 'Model reasoning text, where the provider exposes it.' })
export class ReasoningDelta extends AgentEvent {
  @Field(() => String, { description: 'The next piece of reasoning text; join them in seq order.' })
  delta!: string;
}

@ObjectType({ description: 'The assistant called a tool.', implements: AgentEvent })
export class ToolCallStarted extends AgentEvent {
  @Field(() => ID, { description: 'Identifies the call; ToolCallFinished carries the same.' })
  callId!: string;

  @Field(() => String, { description: 'The tool name, e.g. "list_accounts".' })
  tool!: string;

  @Field(() => JSONScalar, { description: 'The arguments, as JSON.' })
  arguments!: unknown;
}

@ObjectType({ description: 'A tool call ended.', implements: AgentEvent })
export class ToolCallFinished extends AgentEvent {
  @Field(() => ID, { description: 'Matches the ToolCallStarted event.' })
  callId!: string;

  @Field(() => String, { description: 'The tool name.' })
  tool!: string;

  @Field(() => Boolean, { description: 'True when it succeeded; false when it returned an error (see result).' })
  ok!: boolean;

  @Field(() => JSONScalar, {
    description: 'What the tool returned, as JSON (an error object when ok is false); null when it returned nothing.',
    nullable: true,
  })
  result!: unknown;
}

@ObjectType({ description: "The next piece of the assistant's answer as it streams.", implements: AgentEvent })
export class TokenDelta extends AgentEvent {
  @Field(() => ID, { description: 'The assistant message being written (RunFinished.message.id).' })
  messageId!: string;

  @Field(() => String, { description: 'Text to append; the deltas joined in seq order equal the final message content.' })
  delta!: string;
}

@ObjectType({ description: "The assistant changed the session's draft; carries the whole draft as it is now.", implements: AgentEvent })
export class DraftUpdated extends AgentEvent {
  @Field(() => Draft, { description: 'The draft after the change.' })
  draft!: Draft;
}

@ObjectType({
  description: 'The assistant proposed a transfer: show it with Confirm (confirmTransfer) and Cancel (cancelTransfer). Nothing moves until the user confirms.',
  implements: AgentEvent,
})
export class TransferProposed extends AgentEvent {
  @Field(() => TransferView, { description: 'The PENDING_CONFIRMATION transfer, with its expiresAt.' })
  transfer!: TransferView;
}

@ObjectType({ description: 'The run moved to the next provider of the chain before any token of the answer streamed.', implements: AgentEvent })
export class ProviderFallback extends AgentEvent {
  @Field(() => String, { description: 'The provider left behind (its name in LLM_PROVIDERS).' })
  from!: string;

  @Field(() => String, { description: 'The provider the run moved to.' })
  to!: string;

  @Field(() => String, {
    description: 'Why: the error class of the provider left behind (RATE_LIMITED, TIMEOUT, UNAVAILABLE, AUTH, BAD_REQUEST or CONTEXT_TOO_LONG).',
  })
  reason!: string;
}

@ObjectType({
  description:
    "The session's active leaf moved without a new message (switchBranch, or regenerateMessage going back to the question): sent on chatSessionEvents only, with seq 0. runId is the run that wrote the leaf (the new run for a regeneration); the leaf's own id for a leaf no run wrote (an imported message).",
  implements: AgentEvent,
})
export class ActiveLeafChanged extends AgentEvent {
  @Field(() => Message, { description: 'The new active leaf.' })
  leaf!: Message;
}

@ObjectType({ implements: AgentEvent, description: "Always the run's last event." })
export class RunFinished extends AgentEvent {
  @Field(() => AgentRunStatus, { description: 'SUCCEEDED, FAILED or CANCELLED.' })
  status!: AgentRunStatus;

  @Field(() => Message, {
    description: "The assistant's final message as stored (the joined TokenDelta text); null when the run produced none.",
    nullable: true,
  })
  message!: Message | null;

  @Field(() => TokenUsage, { description: 'Tokens the provider reported; null when it reported none.', nullable: true })
  usage!: TokenUsage | null;

  @Field(() => AgentError, { description: 'Why the run FAILED or was CANCELLED; null when it SUCCEEDED.', nullable: true })
  error!: AgentError | null;
}

/** Each event name's GraphQL class: a name without a class, or a class without a name, fails the type check. */
export const AGENT_EVENT_CLASSES = {
  RunStarted,
  MessageAdded,
  ThinkingStep,
  ReasoningDelta,
  ToolCallStarted,
  ToolCallFinished,
  TokenDelta,
  DraftUpdated,
  TransferProposed,
  ProviderFallback,
  ActiveLeafChanged,
  RunFinished,
} satisfies Record<AgentEventName, ClassType<AgentEvent>>;

export const AGENT_EVENT_TYPES: Array<ClassType<AgentEvent>> = Object.values(AGENT_EVENT_CLASSES);

export function isAgentEventName(name: string): name is AgentEventName {
  return Object.hasOwn(AGENT_EVENT_CLASSES, name);
}

/** What the GraphQL layer reads: the envelope with `at` as a Date, the event's data, and `__type` for resolveType. */
export type GraphQLAgentEvent<K extends AgentEventName = AgentEventName> = {
  __type: K;
  runId: string;
  sessionId: string;
  seq: number;
  at: Date;
} & AgentEventData[K];

/**
 * A stored or published event as the GraphQL object of its type. Snapshots inside
 * (messages, drafts, transfers) are plain objects with the fields their types read.
 */
export function toGraphQLEvent<K extends AgentEventName>(event: AgentEventOf<K>): GraphQLAgentEvent<K> {
  return {
    __type: event.type,
    runId: event.runId,
    sessionId: event.sessionId,
    seq: event.seq,
    at: new Date(event.at),
    ...event.data,
  };
}
