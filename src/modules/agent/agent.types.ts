import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../shared/scalars.js';
import { type Message } from '../chat/message.entity.js';

export enum AgentRunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(AgentRunStatus, {
  description: 'The life of a run: QUEUED, RUNNING, then one of SUCCEEDED, FAILED or CANCELLED (final).',
  name: 'AgentRunStatus',
  valuesConfig: {
    SUCCEEDED: { description: 'Finished with a complete answer.' },
    RUNNING: { description: 'The assistant is working; events are streaming.' },
    QUEUED: { description: 'Accepted, not started yet.' },
    FAILED: { description: 'Ended with an error; see AgentRun.error.' },
    CANCELLED: { description: 'Stopped by cancelAgentRun, a sign-out everywhere or a password change; the partial answer is kept.' },
  },
});

@ObjectType({ description: 'Tokens the LLM provider counted for a run (what it costs).' })
export class TokenUsage {
  @Field(() => Int, { description: 'Tokens sent to the model (instructions, history, tool results).' })
  promptTokens!: number;

  @Field(() => Int, { description: 'Tokens the model generated.' })
  completionTokens!: number;

  @Field(() => Int, { description: 'promptTokens + completionTokens.' })
  totalTokens!: number;
}

@ObjectType({ description: 'Why an agent run failed or was cancelled.' })
export class AgentError {
  @Field(() => String, {
    description:
      'Stable code: PROVIDER_ERROR (the model provider failed), TIMEOUT (it sent nothing for LLM_TIMEOUT_MS), TOOL_LIMIT (too many tool calls), INTERNAL, INTERRUPTED (the gateway stopped mid-run) or REVOKED (the user signed out everywhere or changed password).',
  })
  code!: string;

  @Field(() => String, { description: 'Human-readable explanation, safe to show to the user.' })
  message!: string;
}

@ObjectType({ description: 'A tool the assistant called during a run, e.g. list_accounts or propose_transfer.' })
export class ToolCall {
  @Field(() => ID, { description: 'Stable within the run; matches the callId of ToolCallStarted/ToolCallFinished.' })
  id!: string;

  @Field(() => String, { description: 'The tool name, e.g. "monthly_summary".' })
  tool!: string;

  @Field(() => JSONScalar, { description: 'The arguments the model passed, as JSON.' })
  arguments!: unknown;

  @Field(() => Boolean, { description: 'True when it succeeded, false when it returned an error; null while running.', nullable: true })
  ok!: boolean | null;

  @Field(() => JSONScalar, { description: 'What the tool returned (or its error), as JSON; null while running.', nullable: true })
  result!: unknown;
}

@ObjectType({ description: 'A human-readable step of the assistant\'s work, e.g. "Reading your accounts".' })
export class AgentStep {
  @Field(() => ID, { description: 'Stable within the run; matches ThinkingStep.stepId.' })
  id!: string;

  @Field(() => String, { description: 'Short text to show, e.g. "Reading your accounts".' })
  label!: string;

  @Field(() => Date, { description: 'When the step began (UTC).' })
  startedAt!: Date;

  @Field(() => Date, { description: 'When the step ended (UTC); null while it is in progress.', nullable: true })
  finishedAt!: Date | null;
}

export enum ProviderOutcome {
  SERVED = 'SERVED',
  FAILED = 'FAILED',
  SKIPPED_COOLING_DOWN = 'SKIPPED_COOLING_DOWN',
}
registerEnumType(ProviderOutcome, {
  name: 'ProviderOutcome',
  description: 'What one try of a provider of the chain came to.',
  valuesConfig: {
    SERVED: { description: 'It answered the turn.' },
    FAILED: { description: 'It failed; see errorCode.' },
    SKIPPED_COOLING_DOWN: { description: 'Not tried: it failed too often lately and is resting.' },
  },
});

@ObjectType({ description: 'One provider tried for a run, in order.' })
export class ProviderAttempt {
  @Field(() => String, { description: 'Its name in the chain (LLM_PROVIDERS), e.g. "openai".' })
  provider!: string;

  @Field(() => String, { description: 'The model asked.' })
  model!: string;

  @Field(() => ProviderOutcome, { description: 'SERVED, FAILED or SKIPPED_COOLING_DOWN.' })
  outcome!: ProviderOutcome;

  @Field(() => String, {
    description: "The provider's error class when FAILED: RATE_LIMITED, TIMEOUT, UNAVAILABLE, AUTH, BAD_REQUEST, CONTEXT_TOO_LONG.",
    nullable: true,
  })
  errorCode!: string | null;

  @Field(() => Int, { description: 'How long the try took, in milliseconds (0 when skipped).' })
  latencyMs!: number;
}

/** The GraphQL face of a run; messages are resolved by id, in batches. */
@ObjectType('AgentRun', {
  description:
    'One answer of the assistant to one user message: its status, steps, tool calls and final message. Follow it live with the agentEvents subscription.',
})
export class AgentRunView {
  @Field(() => ID, { description: 'Stable id (UUID); pass it to agentEvents and cancelAgentRun.' })
  id!: string;

  @Field(() => ID, { description: 'The chat session the run belongs to.' })
  sessionId!: string;

  @Field(() => AgentRunStatus, { description: 'Where the run is; see AgentRunStatus.' })
  status!: AgentRunStatus;

  @Field(() => String, {
    description:
      'The LLM provider that served the run (its last turn): its name in the chain, e.g. "openai" (any OpenAI-compatible server), "anthropic", or "local" (the built-in rule-based one); the head of the chain until one serves. See attempts.',
  })
  provider!: string;

  @Field(() => String, { description: 'The model that answered, e.g. "gpt-4o-mini", or "rule-based-v1" for the built-in local provider.' })
  model!: string;

  @Field(() => [AgentStep], { description: 'The thinking steps so far, in order (the same as the ThinkingStep events).' })
  steps!: AgentStep[];

  @Field(() => [ToolCall], { description: 'The tools the assistant called, in order, with arguments and results.' })
  toolCalls!: ToolCall[];

  @Field(() => TokenUsage, { description: 'Tokens the provider reported; null until the run ends or when the provider reports none.', nullable: true })
  usage!: TokenUsage | null;

  @Field(() => AgentError, { description: 'Why the run FAILED or was CANCELLED; null otherwise.', nullable: true })
  error!: AgentError | null;

  @Field(() => [ProviderAttempt], { description: 'Every provider tried for the run, in order, over all its turns; recorded when the run ends (empty before).' })
  attempts!: ProviderAttempt[];

  @Field(() => Date, { description: 'When the run was queued (UTC).' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the run ended (UTC); null while QUEUED or RUNNING.', nullable: true })
  finishedAt!: Date | null;

  userMessageId!: string;
  assistantMessageId!: string | null;
  /** Set while the assistant message is not stored yet. */
  userMessage?: Message;
}
