import { v7 as uuidv7 } from 'uuid';
import type { PlainSql } from '../../db/pg.js';
import type { Orm } from '../../db/orm.js';
import type { PubSub } from '../../pubsub/pubsub.js';
import { Topic, type TopicPayloads } from '../../pubsub/topics.js';
import type { Clock } from '../../shared/clock.js';
import { DomainError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import { activeSpan, inSpan, type Tracing } from '../../shared/tracing.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { Role } from '../auth/user.entity.js';
import { MessageRole } from '../chat/message.entity.js';
import type { AgentEventStore } from './agent-event.store.js';
import { AgentRun, type StoredError, type StoredUsage } from './agent-run.entity.js';
import { AgentRunStatus } from './agent.types.js';
import { buildAgentContext, systemPrompt } from './agent.prompt.js';
import type { AgentRuntime } from './agent.runtime.js';
import type { Flags } from '../../flags/flags.js';
import type { ProviderChains } from './provider.factory.js';
import type { ProviderChain } from './llm/chain.js';
import { ProviderError, type ChatMessage, type ToolCallRequest } from './llm/provider.js';
import { messageSnapshot } from './snapshots.js';
import { runTool, toolsFor, type ToolOutcome } from './tools/registry.js';
import { switchedOffFamilies } from './tools/switched-off.js';
import type { ServicesFor } from './tools/tool.js';

export const MAX_TURNS = 8;
const HISTORY_MESSAGES = 30;
/** How often this instance says its runs are alive (beat). */
export const HEARTBEAT_MS = 5_000;
/** A run whose executing instance has not beaten for this long is taken for dead. */
const STALE_MS = 20_000;
/** How often the sweep for dead instances' runs looks (sweepStale). */
export const STALE_SWEEP_MS = STALE_MS / 2;
const INTERRUPTED = { code: 'INTERRUPTED', message: 'The gateway stopped while this run was in progress: send the message again' };

class RunFailure extends Error {
  constructor(
    readonly code: 'TOOL_LIMIT' | 'INTERNAL' | 'PROVIDER_ERROR' | 'TIMEOUT',
    message: string,
  ) {
    super(message);
  }
}

/** What the runner is built from, in app.ts. */
export interface AgentRunnerDeps {
  orm: Orm;
  /** The configured chain, and the local assistant alone for users whose `ai` flag is off. */
  providers: ProviderChains;
  flags: Pick<Flags, 'isEnabled'>;
  pubsub: PubSub;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** This process, recorded on the runs it executes so a fleet can tell whose heartbeat stopped. */
  instanceId: string;
  /** The services a run step (the prompt, a tool, the chat writes) calls, on the fork it is given. */
  servicesFor: ServicesFor;
  /** Where runs write their events (built in app.ts). */
  events: AgentEventStore;
  /** Statements past the ORM (db/pg.ts plainSql): a run's end. */
  sql: PlainSql;
  /** Set: a run is a span under the request that started it (it outlives the request), its provider calls and tools spans under it. */
  tracing?: Tracing;
}

/**
 * Executes agent runs in the background of this process. Long-lived: built once in
 * app.ts; every step works on its own EntityManager fork.
 */
export class AgentRunner implements AgentRuntime {
  private readonly active = new Map<string, { abort: AbortController; done: Promise<void>; reason?: StoredError }>();
  private readonly cancellations: AsyncIterableIterator<TopicPayloads[Topic.AGENT_CANCEL]>;
  private accepting = true;
  private readonly orm: Orm;
  readonly provider: ProviderChain;

  constructor(private readonly deps: AgentRunnerDeps) {
    this.orm = deps.orm;
    this.provider = deps.providers.configured;
    // A cancel may be asked of any instance; the one executing the run acts on it.
    const cancellations = deps.pubsub.subscribe(Topic.AGENT_CANCEL, 'all');
    this.cancellations = cancellations;
    void (async () => {
      for await (const { runId, error } of cancellations) {
        const run = this.active.get(runId);
        if (!run) continue;
        run.reason ??= error;
        run.abort.abort();
      }
    })();
  }

  get activeRuns(): number {
    return this.active.size;
  }

  /** False once shutdown began: new runs are refused. */
  get acceptingRuns(): boolean {
    return this.accepting;
  }

  /** The heartbeat of this instance's runs (every HEARTBEAT_MS, server/maintenance.ts): they are alive. */
  async beat(): Promise<void> {
    const ids = [...this.active.keys()];
    if (ids.length === 0) return;
    await this.orm.em.fork().nativeUpdate(AgentRun, { id: { $in: ids } }, { heartbeatAt: this.deps.clock.now() });
  }

  /** Ends other instances' runs whose heartbeat went stale (every STALE_SWEEP_MS, server/maintenance.ts): their process died. */
  sweepStale(): Promise<number> {
    return this.recoverInterrupted({ staleOnly: true });
  }

  start(runId: string): void {
    const abort = new AbortController();
    // Started inside the request's context: the run's span is its child, though the answer goes out long before the run ends.
    const tracing = this.deps.tracing;
    const execution = tracing
      ? inSpan(tracing, 'agent run', { attributes: { 'coach.agent.run_id': runId } }, () => this.execute(runId, abort.signal))
      : this.execute(runId, abort.signal);
    const done = execution
      .catch((error: unknown) => this.deps.logger.error({ err: error, runId }, 'agent run crashed'))
      .finally(() => this.active.delete(runId));
    this.active.set(runId, { abort, done });
  }

  async requestCancel(runId: string): Promise<void> {
    await this.deps.pubsub.publish(Topic.AGENT_CANCEL, 'all', { runId });
  }

  /** Shutdown: lets running runs finish for up to `graceMs`, then cancels the rest. */
  async stop(graceMs: number): Promise<void> {
    this.accepting = false;
    const all = () => Promise.all([...this.active.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    if ((await Promise.race([all(), grace])) === 'timeout') {
      for (const run of this.active.values()) run.abort.abort();
      await all();
    }
    clearTimeout(timer);
    await this.cancellations.return?.();
  }

  /**
   * Ends runs whose process died, freeing their sessions. Alone (no fleet), every
   * unfinished run at start-up is such a run; in a fleet only those whose executing
   * instance is this one (restarted) or has stopped beating.
   */
  async recoverInterrupted(options: { staleOnly: boolean }): Promise<number> {
    const em = this.orm.em.fork();
    const now = this.deps.clock.now();
    const unfinished = { status: { $in: [AgentRunStatus.QUEUED, AgentRunStatus.RUNNING] } };
    const stale = new Date(now.getTime() - STALE_MS);
    const where = options.staleOnly
      ? {
          ...unfinished,
          id: { $nin: [...this.active.keys()] },
          $or: [{ heartbeatAt: { $lt: stale } }, { heartbeatAt: null, createdAt: { $lt: stale } }, { instanceId: this.deps.instanceId }],
        }
      : unfinished;
    let ended = 0;
    for (const run of await em.find(AgentRun, where)) {
      // Only one instance wins the update; the others leave the run alone.
      const won = await em.nativeUpdate(AgentRun, { id: run.id, ...unfinished }, { status: AgentRunStatus.FAILED, error: INTERRUPTED, finishedAt: now });
      if (won === 0) continue;
      ended++;
      const writer = this.deps.events.writer(run.id, run.session.id, await this.deps.events.lastSeq(run.id));
      writer.emit('RunFinished', { status: AgentRunStatus.FAILED, message: null, usage: run.usage, error: INTERRUPTED });
      await writer.flush();
      this.deps.metrics.agentRunFinished(AgentRunStatus.FAILED, run.usage);
    }
    return ended;
  }

  private async execute(runId: string, signal: AbortSignal): Promise<void> {
    const { deps, orm } = this;
    const em = orm.em.fork();
    const run = await em.findOneOrFail(AgentRun, { id: runId }, { populate: ['session'] });
    const session = run.session.getEntity();
    const auth: AuthInfo = { userId: run.userId, sessionId: `agent-run:${run.id}`, role: Role.CUSTOMER };
    const writer = this.deps.events.writer(run.id, session.id);
    const assistantMessageId = uuidv7();
    run.status = AgentRunStatus.RUNNING;
    run.assistantMessageId = assistantMessageId;
    run.instanceId = deps.instanceId;
    run.heartbeatAt = deps.clock.now();
    await em.flush();

    const chat = deps.servicesFor(orm.em.fork()).chat;
    const [userMessage] = await chat.messagesById([run.userMessageId]);
    writer.emit('RunStarted', { userMessage: userMessage ? messageSnapshot(userMessage) : null });

    let answer = '';
    const usage: StoredUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    let sawUsage = false;
    let status = AgentRunStatus.SUCCEEDED;
    let error: StoredError | null = null;
    try {
      // The branch this run answers, not the session's other branches (an abandoned one's proposals stay out).
      const history = await chat.historyTo(run.userMessageId, HISTORY_MESSAGES);
      let context = await buildAgentContext(deps.servicesFor(orm.em.fork()), auth, session);
      const messages: ChatMessage[] = [
        { role: 'system', content: systemPrompt(context) },
        ...history.map((m): ChatMessage =>
          m.role === MessageRole.ASSISTANT ? { role: 'assistant', content: m.content } : { role: 'user', content: m.content },
        ),
      ];
      const caller = { userId: run.userId, role: auth.role };
      const chain = (await deps.flags.isEnabled('ai', caller)) ? deps.providers.configured : deps.providers.offline;
      const switchedOff = await switchedOffFamilies(deps.flags, caller);
      const tools = toolsFor(session.conversationType, switchedOff).map((t) => t.definition);
      for (let turn = 1; ; turn++) {
        if (turn > MAX_TURNS) throw new RunFailure('TOOL_LIMIT', `The assistant used tools for ${MAX_TURNS} turns without answering`);
        const calls: ToolCallRequest[] = [];
        let turnText = '';
        for await (const event of chain.stream({ messages, tools, context, signal })) {
          if (signal.aborted) break;
          if (event.type === 'text') {
            turnText += event.delta;
            answer += event.delta;
            writer.emit('TokenDelta', { messageId: assistantMessageId, delta: event.delta });
          } else if (event.type === 'reasoning') {
            writer.emit('ReasoningDelta', { delta: event.delta });
          } else if (event.type === 'tool_call') {
            calls.push(event.call);
          } else if (event.type === 'attempt') {
            run.attempts.push(event.attempt);
            if (event.attempt.outcome === 'SERVED') [run.provider, run.model] = [event.attempt.provider, event.attempt.model];
          } else if (event.type === 'fallback') {
            writer.emit('ProviderFallback', { from: event.from, to: event.to, reason: event.reason });
          } else {
            sawUsage = true;
            usage.promptTokens += event.usage.promptTokens;
            usage.completionTokens += event.usage.completionTokens;
            usage.totalTokens += event.usage.totalTokens;
          }
        }
        if (signal.aborted) break;
        if (calls.length === 0) break;
        messages.push({ role: 'assistant', content: turnText, toolCalls: calls });
        for (const call of calls) {
          if (signal.aborted) break;
          const env = {
            services: () => deps.servicesFor(orm.em.fork()),
            clock: deps.clock,
            logger: deps.logger,
            auth,
            session,
            writer,
            signal,
            switchedOff,
          };
          const outcome = deps.tracing ? await tracedTool(deps.tracing, call, () => runTool(call, env)) : await runTool(call, env);
          run.steps.push(outcome.step);
          run.toolCalls.push(outcome.record);
          messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: JSON.stringify(outcome.record.result) });
        }
        if (signal.aborted) break;
        // Tools change the draft, the accounts and the preferences the next turn should see.
        context = await buildAgentContext(deps.servicesFor(orm.em.fork()), auth, session);
        messages[0] = { role: 'system', content: systemPrompt(context) };
      }
      if (signal.aborted) status = AgentRunStatus.CANCELLED;
    } catch (caught) {
      if (signal.aborted || (caught instanceof ProviderError && caught.code === 'CANCELLED')) {
        status = AgentRunStatus.CANCELLED;
      } else {
        status = AgentRunStatus.FAILED;
        error = toAgentError(caught);
        if (error.code === 'INTERNAL') deps.logger.error({ err: caught, runId }, 'agent run failed');
      }
    }

    // A run cancelled for the user (signed out everywhere, new password, new role) says why.
    if (status === AgentRunStatus.CANCELLED) error = this.active.get(runId)?.reason ?? null;

    // The partial answer of a cancelled or failed run is kept as the assistant message.
    let assistantMessage = null;
    if (answer.length > 0 || status === AgentRunStatus.SUCCEEDED) {
      assistantMessage = await deps.servicesFor(orm.em.fork()).chat.appendAnswer(session.id, answer, run.id, assistantMessageId, run.userMessageId);
      writer.emit('MessageAdded', { message: messageSnapshot(assistantMessage) });
    }
    if (deps.tracing) activeSpan(deps.tracing)?.setAttributes({ 'coach.agent.status': status, ...(error ? { 'error.type': error.code } : {}) });
    run.status = status;
    run.error = error;
    run.usage = sawUsage ? usage : null;
    run.finishedAt = deps.clock.now();
    await finishRun(deps.sql, run);
    writer.emit('RunFinished', {
      status,
      message: assistantMessage ? messageSnapshot(assistantMessage) : null,
      usage: run.usage,
      error,
    });
    await writer.flush();
    deps.metrics.agentRunFinished(status, run.usage);
  }
}

/** What a run changes after it started, as of its end: everything its RUNNING flush did not write. */
const FINISH =
  'update "agent_run" set "status" = ?, "error" = ?::jsonb, "usage" = ?::jsonb, "finished_at" = ?, "steps" = ?::jsonb, "tool_calls" = ?::jsonb, ' +
  '"attempts" = ?::jsonb, "provider" = ?, "model" = ?, "updated_at" = ? where "id" = ?';

/**
 * The run's row at its end, one statement past the ORM (its entity was read through MikroORM, and
 * nothing flushes it afterwards): runs of a stream end together, and a flush each (changeset, a
 * transaction of three statements through knex) was CPU their live tokens waited behind.
 */
async function finishRun(sql: PlainSql, run: AgentRun): Promise<void> {
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  // updated_at as the entity's onUpdate sets it.
  await sql.execute(FINISH, [
    run.status,
    json(run.error),
    json(run.usage),
    run.finishedAt,
    json(run.steps),
    json(run.toolCalls),
    json(run.attempts),
    run.provider,
    run.model,
    new Date(),
    run.id,
  ]);
}

/** One tool call as a span under the run's (GenAI semantic conventions' names). */
function tracedTool(tracing: Tracing, call: ToolCallRequest, run: () => Promise<ToolOutcome>): Promise<ToolOutcome> {
  const attributes = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': call.name, 'gen_ai.tool.call.id': call.id };
  return inSpan(tracing, `execute_tool ${call.name}`, { attributes }, async (span) => {
    const outcome = await run();
    span?.setAttribute('coach.tool.ok', outcome.record.ok === true);
    return outcome;
  });
}

function toAgentError(error: unknown): StoredError {
  if (error instanceof RunFailure) return { code: error.code, message: error.message };
  if (error instanceof ProviderError) {
    return { code: error.code === 'TIMEOUT' ? 'TIMEOUT' : 'PROVIDER_ERROR', message: error.message };
  }
  if (error instanceof DomainError) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: 'The assistant failed unexpectedly; the error was logged' };
}
