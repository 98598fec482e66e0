import DataLoader from 'dataloader';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { PlainSql } from '../../db/pg.js';
import type { AsyncQueue } from '../../pubsub/async-queue.js';
import { replayThenLive, type ReplayOptions } from '../../pubsub/replay.js';
import { Topic, type AgentEventPayload } from '../../pubsub/topics.js';
import type { CoreDeps } from '../../deps.js';
import { DomainError, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { ChatSession, ConversationType } from '../chat/chat-session.entity.js';
import type { ChatService, GroupSessionMembers } from '../chat/chat.service.js';
import { type Message, MessageRole } from '../chat/message.entity.js';
import { readRunEventRows } from './agent-event.store.js';
import type { AgUiRunRequest } from './agui.inputs.js';
import { checkBranchable } from './branching.rules.js';
import { messageSnapshot } from './snapshots.js';
import { AgentRun } from './agent-run.entity.js';
import type { AgentRuntime } from './agent.runtime.js';
import type { SendMessageInput } from './agent.inputs.js';
import { AgentRunStatus, type AgentRunView, type ProviderOutcome } from './agent.types.js';

const UNFINISHED = [AgentRunStatus.QUEUED, AgentRunStatus.RUNNING];
const LOSSY_POLL_MS = 3_000;

/** Starts, stops and reads agent runs; the AgentRuntime (the AgentRunner) executes them. */
export class AgentService {
  private messages: DataLoader<string, Message | null> | undefined;
  private activeRuns: DataLoader<string, AgentRun | null> | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'rateLimits' | 'pubsub' | 'logger' | 'plainSql' | 'clock'>,
    /** Built on first use: a subscription's setup (watchRun) needs neither it nor the services it pulls in. */
    private readonly chatService: () => ChatService,
    private readonly runtime: AgentRuntime,
    /** GROUP sessions: who may follow their runs, and until when. */
    private readonly members: Pick<GroupSessionMembers, 'groupOf' | 'untilLeft'>,
  ) {}

  private get chat(): ChatService {
    return this.chatService();
  }

  private get messageLoader(): DataLoader<string, Message | null> {
    return (this.messages ??= new DataLoader(async (ids) => {
      const found = await this.chat.messagesById([...ids]);
      return ids.map((id) => found.find((m) => m.id === id) ?? null);
    }));
  }

  private get activeRunLoader(): DataLoader<string, AgentRun | null> {
    return (this.activeRuns ??= new DataLoader(async (sessionIds) => {
      const runs = await this.em.find(AgentRun, { session: { $in: [...sessionIds] }, status: { $in: UNFINISHED } });
      return sessionIds.map((id) => runs.find((r) => r.session.id === id) ?? null);
    }));
  }

  async send(auth: AuthInfo, input: SendMessageInput): Promise<AgentRunView> {
    const session = await this.chat.get(auth, input.sessionId);
    const clientMessageId = input.clientMessageId ?? null;
    if (clientMessageId) {
      const earlier = await this.em.findOne(AgentRun, { session: session.id, clientMessageId });
      if (earlier) return this.resent(earlier, input.text);
    }
    return this.startRun(auth, session.id, clientMessageId, input.text, (em) =>
      this.chat.appendMessage(session.id, MessageRole.USER, input.text, null, { em, authorId: auth.userId }),
    );
  }

  /**
   * An AG-UI run (POST /agui): a message in the caller's session `threadId`, or in a new GENERAL
   * session when there is none, and the run's events from its first.
   */
  async runForAgUi(auth: AuthInfo, request: AgUiRunRequest): Promise<AsyncIterableIterator<AgentEventPayload>> {
    const created = request.threadId ? null : await this.chat.create(auth, { conversationType: ConversationType.GENERAL });
    const sessionId = created?.id ?? request.threadId!;
    let run: AgentRunView;
    try {
      run = await this.send(auth, { sessionId, text: request.text, clientMessageId: request.clientRunId });
    } catch (error) {
      // A refused run (rate limited, shutting down) leaves no empty conversation behind.
      if (created) await this.chat.delete(auth, created.id);
      throw error;
    }
    return this.watchRun(auth, run.id, 0);
  }

  /** A new answer to the question the assistant message answered; it becomes that question's newest child. */
  async regenerate(auth: AuthInfo, messageId: string): Promise<AgentRunView> {
    const answer = await this.chat.ownedMessage(auth, messageId);
    const [question] = answer.parent ? await this.chat.messagesById([answer.parent.id]) : [];
    checkBranchable('regenerate', answer.role, question?.role ?? null);
    const run = await this.startRun(auth, answer.session.id, null, null, async (em) => {
      // Back to the question: the run's answer lands beside the old one.
      await this.chat.setActiveLeaf(em, answer.session.id, question!.id);
      return question!;
    });
    await this.announceLeaf(run.id, question!);
    return run;
  }

  /** A new user message beside the old one, with a run answering it; the old branch stays. */
  async edit(auth: AuthInfo, messageId: string, text: string): Promise<AgentRunView> {
    const original = await this.chat.ownedMessage(auth, messageId);
    checkBranchable('edit', original.role, null);
    const parentId = original.parent?.id ?? null;
    return this.startRun(auth, original.session.id, null, text, (em) =>
      this.chat.appendMessage(original.session.id, MessageRole.USER, text, null, { em, parentId, authorId: auth.userId }),
    );
  }

  /** The session's active leaf becomes the newest leaf under the message; refused while a run answers on the current branch. */
  async switchBranch(auth: AuthInfo, messageId: string): Promise<ChatSession> {
    const message = await this.chat.ownedMessage(auth, messageId);
    const sessionId = message.session.id;
    const leafId = await this.em.transactional(async (em) => {
      await this.chat.lockSession(em, sessionId);
      if (await em.count(AgentRun, { session: sessionId, status: { $in: UNFINISHED } })) throw runInProgress();
      const leaf = await this.chat.newestLeafUnder(em, message.id);
      await this.chat.setActiveLeaf(em, sessionId, leaf);
      return leaf;
    });
    const [leaf] = await this.chat.messagesById([leafId]);
    await this.announceLeaf(leaf!.runId ?? leaf!.id, leaf!);
    return this.chat.get(auth, sessionId);
  }

  /** Other tabs and devices follow the branch: a leaf move with no new message is announced on the session. */
  private async announceLeaf(runId: string, leaf: Message): Promise<void> {
    const sessionId = leaf.session.id;
    await this.deps.pubsub.publish(Topic.CHAT_SESSION, sessionId, {
      runId,
      sessionId,
      seq: 0,
      at: this.deps.clock.now().toISOString(),
      type: 'ActiveLeafChanged',
      data: { leaf: messageSnapshot(leaf) },
    });
  }

  /**
   * Starts a run on the message `userMessage` stores or picks, inside the transaction that checks
   * no other run is unfinished. `text`: what a clientMessageId resend is compared against.
   */
  private async startRun(
    auth: AuthInfo,
    sessionId: string,
    clientMessageId: string | null,
    text: string | null,
    userMessage: (em: EntityManager) => Promise<Message>,
  ): Promise<AgentRunView> {
    // Runs cost money: a stricter limit than other operations (a resend is free).
    await this.deps.rateLimits.check('sendMessage', { userId: auth.userId });
    if (!this.runtime.acceptingRuns) throw new DomainError('UNAVAILABLE', 'The gateway is shutting down: send the message again in a moment');
    let run: AgentRun;
    try {
      run = await this.em.transactional(async (em) => {
        // The session row lock orders this check and insert after every other run start.
        await this.chat.lockSession(em, sessionId);
        const message = await userMessage(em);
        // The same key sent meanwhile (it held the lock): its run is the answer, and this message is rolled back.
        const earlier = clientMessageId ? await em.findOne(AgentRun, { session: sessionId, clientMessageId }) : null;
        if (earlier) throw new SameKey(earlier);
        if (await em.count(AgentRun, { session: sessionId, status: { $in: UNFINISHED } })) throw runInProgress();
        const created = new AgentRun(
          em.getReference(ChatSession, sessionId, { wrapped: true }),
          auth.userId,
          message.id,
          this.runtime.provider.name,
          this.runtime.provider.model,
          clientMessageId,
        );
        // A regenerated question keeps the run that first answered it.
        message.runId ??= created.id;
        em.persist(created);
        return created;
      });
    } catch (error) {
      if (error instanceof SameKey) return this.resent(error.run, text ?? '');
      if (error instanceof UniqueConstraintViolationException) {
        const earlier = clientMessageId ? await this.em.fork().findOne(AgentRun, { session: sessionId, clientMessageId }) : null;
        if (earlier) return this.resent(earlier, text ?? '');
        throw runInProgress();
      }
      throw error;
    }
    this.runtime.start(run.id);
    return toView(run);
  }

  async cancel(auth: AuthInfo, runId: string): Promise<AgentRunView> {
    const run = await this.owned(auth, runId);
    if (!run.finished) await this.runtime.requestCancel(run.id);
    return toView(run);
  }

  async get(auth: AuthInfo, runId: string): Promise<AgentRunView> {
    return toView(await this.owned(auth, runId));
  }

  async activeRun(session: ChatSession): Promise<AgentRunView | null> {
    const run = await this.activeRunLoader.load(session.id);
    return run ? toView(run) : null;
  }

  message(id: string | null): Promise<Message | null> {
    return id ? this.messageLoader.load(id) : Promise.resolve(null);
  }

  /**
   * The run's events after `afterSeq`: replayed from the store, then live, with no gap and
   * no duplicate; ends after RunFinished. Subscribing before reading the store is what
   * closes the gap (see replayThenLive).
   */
  async watchRun(auth: AuthInfo, runId: string, afterSeq: number | null | undefined): Promise<AsyncIterableIterator<AgentEventPayload>> {
    const sql = this.deps.plainSql;
    // A plain row, not an entity: thousands of sockets subscribe at once after a restart, and the ORM's query building is their garbage.
    const rows = isUuid(runId)
      ? await sql.execute<{ id: string; user_id: string; session_id: string; conversation_type: string }>(
          'select r.id, s.user_id, s.id as session_id, s.conversation_type from agent_run r join chat_session s on s.id = r.session_id where r.id = ?',
          [runId],
        )
      : [];
    const row = rows[0];
    if (!row) throw notFound('Agent run');
    if (row.conversation_type !== ConversationType.GROUP) {
      if (row.user_id !== auth.userId) throw notFound('Agent run');
      // The stored id, not the argument: pubsub keys are the canonical lowercase form.
      return storedRunEvents(sql, this.deps, row.id, afterSeq ?? 0);
    }
    const groupId = await this.members.groupOf(row.session_id, auth.userId);
    if (!groupId) throw notFound('Agent run');
    return this.members.untilLeft(groupId, row.session_id, auth.userId, storedRunEvents(sql, this.deps, row.id, afterSeq ?? 0));
  }

  async watchSession(auth: AuthInfo, sessionId: string): Promise<AsyncIterableIterator<AgentEventPayload>> {
    const session = await this.chat.get(auth, sessionId);
    const events = this.deps.pubsub.subscribe(Topic.CHAT_SESSION, session.id);
    const groupId = await this.chat.groupOf(auth, session);
    // A member who leaves the group stops hearing its conversation at once.
    return groupId ? this.members.untilLeft(groupId, session.id, auth.userId, events) : events;
  }

  /** A resend answers the first run; the same clientMessageId with another text is another request, refused as transfers refuse a reused key. */
  private async resent(earlier: AgentRun, text: string): Promise<AgentRunView> {
    const [message] = await this.chat.messagesById([earlier.userMessageId]);
    if (message && message.content !== text) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'This clientMessageId was already used for a different message: use a new clientMessageId for a new message',
      );
    }
    return toView(earlier);
  }

  /** A run of a session the caller may use: their own, or their group's (any current member follows and may cancel it). */
  private async owned(auth: AuthInfo, runId: string): Promise<AgentRun> {
    const run = isUuid(runId) ? await this.em.findOne(AgentRun, { id: runId }, { populate: ['session'] }) : null;
    if (!run || !(await this.chat.canUse(auth, run.session.getEntity()))) throw notFound('Agent run');
    return run;
  }
}

/**
 * A run's stream, outside the service so an open subscription holds the run id, the pubsub and
 * statements past the ORM, not the operation's services, its fork and the run entity in it.
 */
function storedRunEvents(sql: PlainSql, deps: Pick<CoreDeps, 'pubsub' | 'logger'>, runId: string, after: number): AsyncIterableIterator<AgentEventPayload> {
  return replayThenLive(new StoredRun(sql, deps, runId, after));
}

/** One run's replay options as one small object: its methods cost an open subscription no closures. */
class StoredRun implements ReplayOptions<AgentEventPayload> {
  readonly live: AsyncQueue<AgentEventPayload>;
  // A lossy transport may drop even RunFinished: look in the store now and then.
  readonly lossy: boolean;
  readonly pollMs = LOSSY_POLL_MS;
  private readonly logger: Logger;

  constructor(
    private readonly sql: PlainSql,
    { pubsub, logger }: Pick<CoreDeps, 'pubsub' | 'logger'>,
    private readonly runId: string,
    readonly after: number,
  ) {
    this.live = pubsub.subscribe(Topic.AGENT_RUN, runId);
    this.lossy = pubsub.lossy;
    this.logger = logger;
  }

  read(from: number, to?: number): Promise<AgentEventPayload[]> {
    return readRunEventRows(this.sql, this.runId, from, to);
  }

  isLast(event: AgentEventPayload): boolean {
    return event.type === 'RunFinished';
  }

  onError(error: unknown): void {
    this.logger.warn({ err: error, runId: this.runId }, 'agent event poll failed');
  }
}

/** Unwinds sendMessage's transaction when its clientMessageId already has a run. */
class SameKey extends Error {
  constructor(readonly run: AgentRun) {
    super('clientMessageId already has a run');
  }
}

function runInProgress(): DomainError {
  return new DomainError('RUN_IN_PROGRESS', 'The assistant is still answering in this session: wait for it or cancel the run');
}

export function toView(run: AgentRun): AgentRunView {
  return {
    id: run.id,
    sessionId: run.session.id,
    status: run.status,
    provider: run.provider,
    model: run.model,
    steps: run.steps.map((s) => ({ id: s.id, label: s.label, startedAt: new Date(s.startedAt), finishedAt: s.finishedAt ? new Date(s.finishedAt) : null })),
    toolCalls: run.toolCalls.map((c) => ({ id: c.id, tool: c.tool, arguments: c.arguments, ok: c.ok, result: c.result })),
    usage: run.usage,
    error: run.error,
    attempts: run.attempts.map((a) => ({ ...a, outcome: a.outcome as ProviderOutcome })),
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    userMessageId: run.userMessageId,
    assistantMessageId: run.finished ? run.assistantMessageId : null,
  };
}
