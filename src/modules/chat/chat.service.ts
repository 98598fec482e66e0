import type DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { parseIsoDay } from '../../shared/calendar-input.js';
import { badUserInput, notFound } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { checkName } from '../../shared/input-rules.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { pageSize, timeIdCursor, toPage, type Page } from '../../shared/pagination.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { User } from '../auth/user.entity.js';
import { Goal } from '../plans/goal.entity.js';
import type { GoalService } from '../plans/goals.service.js';
import { ChatSession, ConversationType } from './chat-session.entity.js';
import type { CreateChatSessionInput } from './chat.inputs.js';
import { metadataProblem } from './chat.rules.js';
import type { MessagePageArgs } from './chat.types.js';
import { createMessageLoader, messagePlan } from './message.loader.js';
import { Message, type MessageRole } from './message.entity.js';
import { ormSql } from '../../db/orm-sql.js';

export interface ChatSessionListArgs {
  first?: number | null;
  after?: string | null;
  includeArchived?: boolean | null;
}

/** What a new JOURNALING session asks of the drafts module, which sits above chat. */
export interface DraftStarter {
  startDraft(em: EntityManager, session: ChatSession, at: Date): unknown;
}

export class ChatService {
  /** Per operation (this service lives as long as one operation): one loader per page shape. */
  private readonly messageLoaders = new Map<string, DataLoader<ChatSession, Page<Message>, string>>();

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock'>,
    private readonly drafts: DraftStarter,
    private readonly goals: Pick<GoalService, 'entity'>,
  ) {}

  async create(auth: AuthInfo, input: CreateChatSessionInput): Promise<ChatSession> {
    const metadata = input.metadata ?? null;
    const problem = metadataProblem(metadata);
    if (problem) throw badUserInput([{ field: 'metadata', message: problem }]);
    const title = input.title?.trim() || null;
    if (title !== null) checkName(title, 'title');
    const goal = input.context?.goalId ? await this.goals.entity(auth, input.context.goalId) : null;
    const planDate = input.context?.planDate ? parseIsoDay(input.context.planDate, 'context.planDate') : null;
    return this.em.transactional(async (em) => {
      const session = new ChatSession(
        em.getReference(User, auth.userId, { wrapped: true }),
        input.conversationType,
        title,
        metadata as Record<string, unknown> | null,
      );
      session.createdAt = session.updatedAt = this.deps.clock.now();
      session.contextGoal = goal ? em.getReference(Goal, goal.id, { wrapped: true }) : null;
      session.contextPlanDate = planDate;
      em.persist(session);
      if (session.conversationType === ConversationType.JOURNALING) this.drafts.startDraft(em, session, session.createdAt);
      return session;
    });
  }

  async list(auth: AuthInfo, args: ChatSessionListArgs): Promise<Page<ChatSession>> {
    const limit = pageSize(args.first);
    const cursor = timeIdCursor(args.after);
    const where = { user: auth.userId, ...(args.includeArchived ? {} : { archived: false }) };
    const after = cursor ? { $or: [{ updatedAt: { $lt: cursor.at } }, { updatedAt: cursor.at, id: { $lt: cursor.id } }] } : {};
    const [rows, total] = await Promise.all([
      this.em.find(ChatSession, { ...where, ...after }, { orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], limit: limit + 1 }),
      this.em.count(ChatSession, where),
    ]);
    return toPage(rows, limit, (s) => [s.updatedAt.toISOString(), s.id], total, { forward: true, hadCursor: !!cursor });
  }

  async get(auth: AuthInfo, id: string): Promise<ChatSession> {
    const session = isUuid(id) ? await this.em.findOne(ChatSession, { id, user: auth.userId }) : null;
    if (!session) throw notFound('Chat session');
    return session;
  }

  async rename(auth: AuthInfo, id: string, title: string): Promise<ChatSession> {
    checkName(title, 'title');
    const trimmed = title.trim();
    if (trimmed.length < 1 || trimmed.length > SIZE_CAPS.sessionTitle) {
      throw badUserInput([{ field: 'title', message: `must be 1 to ${SIZE_CAPS.sessionTitle} characters` }]);
    }
    const session = await this.get(auth, id);
    session.title = trimmed;
    await this.em.flush();
    return session;
  }

  async archive(auth: AuthInfo, id: string): Promise<ChatSession> {
    const session = await this.get(auth, id);
    session.archived = true;
    await this.em.flush();
    return session;
  }

  /** Messages, draft and runs go with the session (foreign keys cascade); journal entries stay. */
  async delete(auth: AuthInfo, id: string): Promise<boolean> {
    const deleted = isUuid(id) ? await this.em.nativeDelete(ChatSession, { id, user: auth.userId }) : 0;
    if (deleted === 0) throw notFound('Chat session');
    return true;
  }

  /**
   * Stores the next message of a session and moves the session's updatedAt. Callers check
   * ownership first (the agent does, for the user's and the assistant's messages).
   */
  async appendMessage(
    sessionId: string,
    role: MessageRole,
    content: string,
    runId: string | null = null,
    options: { id?: string; em?: EntityManager } = {},
  ): Promise<Message> {
    if (!isUuid(sessionId)) throw notFound('Chat session');
    // With options.em the message joins the caller's transaction (the agent's sendMessage).
    const inTransaction = <T>(work: (em: EntityManager) => Promise<T>) => (options.em ? work(options.em) : this.em.transactional(work));
    return inTransaction(async (em) => {
      const now = this.deps.clock.now();
      // The row lock this takes orders concurrent appends to one session.
      const rows = await ormSql<{ message_count: number }>(
        em,
        'update chat_session set message_count = message_count + 1, updated_at = ? where id = ? returning message_count',
        [now, sessionId],
      );
      if (rows.length === 0) throw notFound('Chat session');
      const message = new Message(em.getReference(ChatSession, sessionId, { wrapped: true }), rows[0]!.message_count, role, content, runId);
      if (options.id) message.id = options.id;
      message.createdAt = message.updatedAt = now;
      em.persist(message);
      if (options.em) await em.flush();
      return message;
    });
  }

  /** Messages by id, for runs and events that refer to them; callers check ownership. */
  messagesById(ids: string[]): Promise<Message[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.em.find(Message, { id: { $in: ids } });
  }

  /** The last `limit` messages of a session, oldest first: the conversation the agent sees. */
  async history(sessionId: string, limit: number): Promise<Message[]> {
    const newest = await this.em.find(Message, { session: sessionId }, { orderBy: { seq: 'desc' }, limit });
    return newest.reverse();
  }

  /** A page of one session's messages; sessions listed together share one query. */
  messages(session: ChatSession, args: MessagePageArgs): Promise<Page<Message>> {
    const plan = messagePlan(args);
    const key = JSON.stringify(plan);
    let loader = this.messageLoaders.get(key);
    if (!loader) {
      loader = createMessageLoader(this.em, plan);
      this.messageLoaders.set(key, loader);
    }
    return loader.load(session);
  }
}
