import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CoreDeps } from '../../deps.js';
import { parseIsoDay } from '../../shared/calendar-input.js';
import { DomainError, badUserInput, notFound } from '../../shared/errors.js';
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
import type { MessagePageArgs, MessageSiblingsView } from './chat.types.js';
import { createMessageLoader, createSiblingLoader, messagePlan } from './message.loader.js';
import { newestLeafUnder, pathTo } from './message-path.js';
import { Message, MessageRole } from './message.entity.js';
import { ormSql } from '../../db/orm-sql.js';

/** appendAnswer's statement: the session's count and leaf move in the statement that inserts (foreign keys are checked at its end). */
const APPEND_ANSWER =
  'with "s" as (update "chat_session" set "message_count" = "message_count" + 1, "updated_at" = ?, "active_leaf_id" = ? where "id" = ? returning "message_count") ' +
  'insert into "message" ("id", "created_at", "updated_at", "session_id", "seq", "parent_id", "role", "content", "run_id") ' +
  'select ?, ?, ?, ?, "s"."message_count", ?, ?::"message_role", ?, ? from "s" returning "seq"';

export interface ChatSessionListArgs {
  first?: number | null;
  after?: string | null;
  includeArchived?: boolean | null;
}

/** What a new JOURNALING session asks of the drafts module, which sits above chat. */
export interface DraftStarter {
  startDraft(em: EntityManager, session: ChatSession, at: Date): unknown;
}

/**
 * Who may use a GROUP session: the current members of its group, never its creator as such.
 * The groups module, above chat, answers (groups/group-sessions.ts; services.ts wires it).
 */
export interface GroupSessionMembers {
  /** The group whose conversation the session is, when the user is a current member of it; null otherwise. */
  groupOf(sessionId: string, userId: string): Promise<string | null>;
  /** The conversations of the user's current groups. */
  sessionsOf(userId: string): Promise<string[]>;
  /** `source` until the user leaves or is removed from the group (on any instance): then it ends. */
  untilLeft<T>(groupId: string, sessionId: string, userId: string, source: AsyncIterableIterator<T>): AsyncIterableIterator<T>;
}

export class ChatService {
  /** Per operation (this service lives as long as one operation): one loader per page shape. */
  private readonly messageLoaders = new Map<string, DataLoader<ChatSession, Page<Message>, string>>();
  private siblingLoader: DataLoader<Message, string[], string> | undefined;
  private leafLoader: DataLoader<string, Message | null> | undefined;
  private authorLoader: DataLoader<string, { id: string; username: string } | null> | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<CoreDeps, 'clock' | 'plainSql'>,
    private readonly drafts: DraftStarter,
    private readonly goals: Pick<GoalService, 'entity'>,
    private readonly members: Pick<GroupSessionMembers, 'groupOf' | 'sessionsOf'>,
  ) {}

  async create(auth: AuthInfo, input: CreateChatSessionInput): Promise<ChatSession> {
    if (input.conversationType === ConversationType.GROUP) {
      throw badUserInput([{ field: 'conversationType', message: "GROUP: a group's conversation comes with the group (Group.chatSession)" }]);
    }
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
    const shared = await this.members.sessionsOf(auth.userId);
    // Another's GROUP session shows through the group; one's own only while a member.
    const where = {
      $or: [{ user: auth.userId, conversationType: { $ne: ConversationType.GROUP } }, ...(shared.length ? [{ id: { $in: shared } }] : [])],
      ...(args.includeArchived ? {} : { archived: false }),
    };
    const after = cursor ? { $and: [{ $or: [{ updatedAt: { $lt: cursor.at } }, { updatedAt: cursor.at, id: { $lt: cursor.id } }] }] } : {};
    const [rows, total] = await Promise.all([
      this.em.find(ChatSession, { ...where, ...after }, { orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], limit: limit + 1 }),
      this.em.count(ChatSession, where),
    ]);
    return toPage(rows, limit, (s) => [s.updatedAt.toISOString(), s.id], total, { forward: true, hadCursor: !!cursor });
  }

  async get(auth: AuthInfo, id: string): Promise<ChatSession> {
    const session = isUuid(id) ? await this.em.findOne(ChatSession, { id }) : null;
    if (!session || !(await this.canUse(auth, session))) throw notFound('Chat session');
    return session;
  }

  /** Its owner, or for a GROUP session a current member of the group (one who left has lost it, its creator too). */
  async canUse(auth: AuthInfo, session: ChatSession): Promise<boolean> {
    if (session.conversationType !== ConversationType.GROUP) return session.user.id === auth.userId;
    return (await this.members.groupOf(session.id, auth.userId)) !== null;
  }

  /** The group whose conversation this is, for a current member; null for any other session. */
  groupOf(auth: AuthInfo, session: ChatSession): Promise<string | null> {
    return session.conversationType === ConversationType.GROUP ? this.members.groupOf(session.id, auth.userId) : Promise.resolve(null);
  }

  /** A new group's conversation, in the caller's transaction; the groups module keeps the link. */
  startGroupSession(em: EntityManager, ownerId: string, title: string, at: Date): ChatSession {
    const session = new ChatSession(em.getReference(User, ownerId, { wrapped: true }), ConversationType.GROUP, title.slice(0, SIZE_CAPS.sessionTitle), null);
    session.createdAt = session.updatedAt = at;
    em.persist(session);
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
    const session = await this.get(auth, id);
    if (session.conversationType === ConversationType.GROUP) {
      throw new DomainError('FORBIDDEN', "A group's conversation lasts as long as the group: it cannot be deleted");
    }
    await this.em.nativeDelete(ChatSession, { id: session.id, user: auth.userId });
    return true;
  }

  /**
   * Stores the next message of a session and makes it the active leaf; its parent is the
   * active leaf unless `options.parentId` says (null: a first message). Callers check ownership
   * first (the agent does, for the user's and the assistant's messages).
   */
  async appendMessage(
    sessionId: string,
    role: MessageRole,
    content: string,
    runId: string | null = null,
    options: { id?: string; em?: EntityManager; parentId?: string | null; authorId?: string } = {},
  ): Promise<Message> {
    if (!isUuid(sessionId)) throw notFound('Chat session');
    // With options.em the message joins the caller's transaction (the agent's sendMessage).
    const inTransaction = <T>(work: (em: EntityManager) => Promise<T>) => (options.em ? work(options.em) : this.em.transactional(work));
    return inTransaction(async (em) => {
      const now = this.deps.clock.now();
      // The row lock this takes orders concurrent appends to one session.
      const rows = await ormSql<{ message_count: number; active_leaf_id: string | null }>(
        em,
        'update chat_session set message_count = message_count + 1, updated_at = ? where id = ? returning message_count, active_leaf_id',
        [now, sessionId],
      );
      if (rows.length === 0) throw notFound('Chat session');
      const message = new Message(em.getReference(ChatSession, sessionId, { wrapped: true }), rows[0]!.message_count, role, content, runId);
      const parentId = options.parentId === undefined ? rows[0]!.active_leaf_id : options.parentId;
      message.parent = parentId ? em.getReference(Message, parentId, { wrapped: true }) : null;
      if (options.id) message.id = options.id;
      if (options.authorId) message.author = em.getReference(User, options.authorId, { wrapped: true });
      message.createdAt = message.updatedAt = now;
      em.persist(message);
      await em.flush();
      await this.setActiveLeaf(em, sessionId, message.id);
      return message;
    });
  }

  /**
   * The answer that ends an agent run, stored as appendMessage stores a message (the next seq, the
   * active leaf, after `parentId`), as one statement past the ORM: the session row's update orders
   * it after other appends as appendMessage's lock does. A stream's runs end together, and each one's
   * transaction of five statements through MikroORM and knex was CPU the live tokens waited behind.
   */
  async appendAnswer(sessionId: string, content: string, runId: string, id: string, parentId: string): Promise<Message> {
    if (!isUuid(sessionId)) throw notFound('Chat session');
    const now = this.deps.clock.now();
    const rows = await this.deps.plainSql.execute<{ seq: number }>(APPEND_ANSWER, [
      now,
      id,
      sessionId,
      id,
      now,
      now,
      sessionId,
      parentId,
      MessageRole.ASSISTANT,
      content,
      runId,
    ]);
    if (rows.length === 0) throw notFound('Chat session');
    const message = new Message(this.em.getReference(ChatSession, sessionId, { wrapped: true }), rows[0]!.seq, MessageRole.ASSISTANT, content, runId);
    message.id = id;
    message.parent = this.em.getReference(Message, parentId, { wrapped: true });
    message.createdAt = message.updatedAt = now;
    return message;
  }

  /** Locks the session row for the caller's transaction: branch moves and appends queue behind each other. */
  async lockSession(em: EntityManager, sessionId: string): Promise<void> {
    await ormSql(em, 'select 1 from chat_session where id = ? for update', [sessionId]);
  }

  /** Points the session at another branch; callers check ownership and hold the session lock. */
  async setActiveLeaf(em: EntityManager, sessionId: string, messageId: string): Promise<void> {
    await ormSql(em, 'update chat_session set active_leaf_id = ? where id = ?', [messageId, sessionId]);
  }

  /** A message of one of the caller's sessions; NOT_FOUND for anyone else's. */
  async ownedMessage(auth: AuthInfo, id: string): Promise<Message> {
    const message = isUuid(id) ? await this.em.findOne(Message, { id }, { populate: ['session'] }) : null;
    if (!message || !(await this.canUse(auth, message.session.getEntity()))) throw notFound('Message');
    return message;
  }

  /** Who wrote a USER message, as id and username; null for the assistant's and for messages stored before authors were kept. */
  async author(message: Message): Promise<{ id: string; username: string } | null> {
    const id = message.author?.id;
    if (!id) return null;
    this.authorLoader ??= new DataLoader(async (ids) => {
      const rows = await ormSql<{ id: string; username: string }>(this.em, `select id, username from app_user where id in (${ids.map(() => '?').join(', ')})`, [
        ...ids,
      ]);
      return ids.map((i) => rows.find((r) => r.id === i) ?? null);
    });
    return this.authorLoader.load(id);
  }

  /** Where switching to a message lands: the newest leaf of its subtree. */
  newestLeafUnder(em: EntityManager, messageId: string): Promise<string> {
    return newestLeafUnder(em, messageId);
  }

  /** The session's active leaf as stored now, not as the session entity was read. */
  async activeLeaf(session: ChatSession): Promise<Message | null> {
    this.leafLoader ??= new DataLoader(async (sessionIds) => {
      const leaves = await ormSql<{ id: string; active_leaf_id: string | null }>(
        this.em,
        `select id, active_leaf_id from chat_session where id in (${sessionIds.map(() => '?').join(', ')})`,
        [...sessionIds],
      );
      const leafIds = leaves.flatMap((l) => (l.active_leaf_id ? [l.active_leaf_id] : []));
      const found = leafIds.length ? await this.em.find(Message, { id: { $in: leafIds } }) : [];
      return sessionIds.map((id) => found.find((m) => m.id === leaves.find((l) => l.id === id)?.active_leaf_id) ?? null);
    });
    return this.leafLoader.load(session.id);
  }

  /** The message among those sharing its parent: its place, their number and ids, by creation. */
  async siblings(message: Message): Promise<MessageSiblingsView> {
    this.siblingLoader ??= createSiblingLoader(this.em);
    const ids = await this.siblingLoader.load(message);
    return { index: Math.max(0, ids.indexOf(message.id)), count: ids.length, ids };
  }

  /** Messages by id, for runs and events that refer to them; callers check ownership. */
  messagesById(ids: string[]): Promise<Message[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.em.find(Message, { id: { $in: ids } });
  }

  /** The last `limit` messages of the path ending at `messageId`, oldest first: the conversation the agent sees. */
  historyTo(messageId: string, limit: number): Promise<Message[]> {
    return pathTo(this.em, messageId, limit);
  }

  /** A page of one session's active path; sessions listed together share one query. */
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
