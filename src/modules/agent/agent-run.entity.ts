import { Entity, Enum, Index, ManyToOne, Property, Unique, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity.js';
import { ChatSession } from '../chat/chat-session.entity.js';
import { AgentRunStatus } from './agent.types.js';

export interface StoredStep {
  id: string;
  label: string;
  startedAt: string;
  finishedAt: string | null;
}

export interface StoredToolCall {
  id: string;
  tool: string;
  arguments: unknown;
  ok: boolean | null;
  result: unknown;
}

export interface StoredUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** One provider tried for the run, in order (see llm/chain.ts). */
export interface StoredAttempt {
  provider: string;
  model: string;
  outcome: 'SERVED' | 'FAILED' | 'SKIPPED_COOLING_DOWN';
  errorCode: string | null;
  latencyMs: number;
}

export interface StoredError {
  code: string;
  message: string;
}

/** One answer of the agent to one user message. At most one unfinished run per session (partial unique index). */
@Entity()
@Unique({ properties: ['session', 'clientMessageId'] })
@Index({ properties: ['session', 'createdAt'] })
@Index({
  name: 'agent_run_one_unfinished_per_session',
  expression: `create unique index "agent_run_one_unfinished_per_session" on "agent_run" ("session_id") where "status" in ('QUEUED', 'RUNNING')`,
})
export class AgentRun extends BaseEntity<
  'status' | 'assistantMessageId' | 'steps' | 'toolCalls' | 'attempts' | 'usage' | 'error' | 'finishedAt' | 'clientMessageId' | 'instanceId' | 'heartbeatAt'
> {
  @ManyToOne(() => ChatSession, { ref: true, deleteRule: 'cascade' })
  session: Ref<ChatSession>;

  @Index()
  @Property({ type: 'uuid' })
  userId: string;

  @Enum({ items: () => AgentRunStatus, nativeEnumName: 'agent_run_status' })
  status: AgentRunStatus = AgentRunStatus.QUEUED;

  @Property({ type: 'text' })
  provider: string;

  @Property({ type: 'text' })
  model: string;

  @Property({ type: 'uuid' })
  userMessageId: string;

  /** Chosen when the run starts, so token deltas can name the message before it is stored. */
  @Property({ type: 'uuid', nullable: true })
  assistantMessageId: string | null = null;

  @Property({ type: 'text', nullable: true })
  clientMessageId: string | null = null;

  @Property({ type: 'json' })
  steps: StoredStep[] = [];

  @Property({ type: 'json' })
  toolCalls: StoredToolCall[] = [];

  /** Every try of a provider, over all the run's turns; provider and model above name the one that served last. */
  @Property({ type: 'json', default: '[]' })
  attempts: StoredAttempt[] = [];

  @Property({ type: 'json', nullable: true })
  usage: StoredUsage | null = null;

  @Property({ type: 'json', nullable: true })
  error: StoredError | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;

  /** The instance executing the run, and when it last said so: a stale heartbeat means it died. */
  @Property({ type: 'text', nullable: true })
  instanceId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  heartbeatAt: Date | null = null;

  constructor(session: Ref<ChatSession>, userId: string, userMessageId: string, provider: string, model: string, clientMessageId: string | null) {
    super();
    this.session = session;
    this.userId = userId;
    this.userMessageId = userMessageId;
    this.provider = provider;
    this.model = model;
    this.clientMessageId = clientMessageId;
  }

  get finished(): boolean {
    return this.status !== AgentRunStatus.QUEUED && this.status !== AgentRunStatus.RUNNING;
  }
}
