import { Field, ID, Int, InterfaceType, ObjectType, type ClassType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars.js';
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
  @Field(() => ID)
  runId!: string;

  @Field(() => ID)
  sessionId!: string;

  @Field(() => Int)
  seq!: number;

  @Field(() => Date)
  at!: Date;
}

@ObjectType({ implements: AgentEvent })
export class RunStarted extends AgentEvent {
  @Field(() => Message)
  userMessage!: Message;
}

@ObjectType({ implements: AgentEvent })
export class MessageAdded extends AgentEvent {
  @Field(() => Message)
  message!: Message;
}

@ObjectType({ implements: AgentEvent, description: "A human-readable step of the agent's work, e.g. 'Reading your accounts'." })
export class ThinkingStep extends AgentEvent {
  @Field(() => ID)
  stepId!: string;

  @Field(() => String)
  label!: string;

  @Field(() => Boolean)
  done!: boolean;
}

@ObjectType({ implements: AgentEvent, description: 'Model reasoning text, where the provider exposes it.' })
export class ReasoningDelta extends AgentEvent {
  @Field(() => String)
  delta!: string;
}

@ObjectType({ implements: AgentEvent })
export class ToolCallStarted extends AgentEvent {
  @Field(() => ID)
  callId!: string;

  @Field(() => String)
  tool!: string;

  @Field(() => JSONScalar)
  arguments!: unknown;
}

@ObjectType({ implements: AgentEvent })
export class ToolCallFinished extends AgentEvent {
  @Field(() => ID)
  callId!: string;

  @Field(() => String)
  tool!: string;

  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => JSONScalar, { nullable: true })
  result!: unknown;
}

@ObjectType({ implements: AgentEvent })
export class TokenDelta extends AgentEvent {
  @Field(() => ID)
  messageId!: string;

  @Field(() => String)
  delta!: string;
}

@ObjectType({ implements: AgentEvent })
export class DraftUpdated extends AgentEvent {
  @Field(() => Draft)
  draft!: Draft;
}

@ObjectType({ implements: AgentEvent })
export class TransferProposed extends AgentEvent {
  @Field(() => TransferView)
  transfer!: TransferView;
}

@ObjectType({ implements: AgentEvent, description: "Always the run's last event." })
export class RunFinished extends AgentEvent {
  @Field(() => AgentRunStatus)
  status!: AgentRunStatus;

  @Field(() => Message, { nullable: true })
  message!: Message | null;

  @Field(() => TokenUsage, { nullable: true })
  usage!: TokenUsage | null;

  @Field(() => AgentError, { nullable: true })
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
