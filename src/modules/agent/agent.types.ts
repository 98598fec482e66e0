import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars.js';
import { type Message } from '../chat/message.entity.js';

export enum AgentRunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(AgentRunStatus, { name: 'AgentRunStatus' });

@ObjectType()
export class TokenUsage {
  @Field(() => Int)
  promptTokens!: number;

  @Field(() => Int)
  completionTokens!: number;

  @Field(() => Int)
  totalTokens!: number;
}

@ObjectType()
export class AgentError {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType()
export class ToolCall {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  tool!: string;

  @Field(() => JSONScalar)
  arguments!: unknown;

  @Field(() => Boolean, { nullable: true })
  ok!: boolean | null;

  @Field(() => JSONScalar, { nullable: true })
  result!: unknown;
}

@ObjectType()
export class AgentStep {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  label!: string;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}

/** The GraphQL face of a run; messages are resolved by id, in batches. */
@ObjectType('AgentRun')
export class AgentRunView {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  sessionId!: string;

  @Field(() => AgentRunStatus)
  status!: AgentRunStatus;

  @Field(() => String)
  provider!: string;

  @Field(() => String)
  model!: string;

  @Field(() => [AgentStep])
  steps!: AgentStep[];

  @Field(() => [ToolCall])
  toolCalls!: ToolCall[];

  @Field(() => TokenUsage, { nullable: true })
  usage!: TokenUsage | null;

  @Field(() => AgentError, { nullable: true })
  error!: AgentError | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;

  userMessageId!: string;
  assistantMessageId!: string | null;
  /** Set while the assistant message is not stored yet. */
  userMessage?: Message;
}
