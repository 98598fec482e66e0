import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArchiveChatSessionDocument,
  ChatSessionDocument,
  ChatSessionsDocument,
  ChatSessionsWithMessagesDocument,
  DeleteChatSessionDocument,
  FinalizeDraftDocument,
  JournalEntryDocument,
  RenameChatSessionDocument,
  SessionMessagesDocument,
  UpdateDraftDocument,
} from '../generated/graphql.js';
import { appendMessages, createSession } from '../factories/chat.js';
import { expectError } from '../helpers/errors.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { countStatements } from '../helpers/sql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let alice: TestUser;
beforeAll(async () => {
  server = await startTestServer({ maintenance: false });
  alice = await registerUser(server);
});
afterAll(() => server?.stop());

describe('chat sessions', () => {
  it('lists sessions most recently active first, moving a session up when a message arrives', async () => {
    const user = await registerUser(server);
    const a = await createSession(server, user.token, 'GENERAL', 'a');
    const b = await createSession(server, user.token, 'COACHING', 'b');
    const c = await createSession(server, user.token, 'JOURNALING', 'c');
    const order = async () => (await server.ok(ChatSessionsDocument, {}, { token: user.token })).chatSessions.edges.map((e) => e.node.title);
    expect(await order()).toEqual(['c', 'b', 'a']);
    await appendMessages(server, a.id, 1);
    expect(await order()).toEqual(['a', 'c', 'b']);
    const moved = await server.ok(ChatSessionDocument, { id: a.id }, { token: user.token });
    expect(Date.parse(moved.chatSession.updatedAt)).toBeGreaterThan(Date.parse(a.updatedAt));

    const first = await server.ok(ChatSessionsDocument, { first: 2 }, { token: user.token });
    expect(first.chatSessions).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    const rest = await server.ok(ChatSessionsDocument, { first: 2, after: first.chatSessions.pageInfo.endCursor }, { token: user.token });
    expect(rest.chatSessions.edges.map((e) => e.node.title)).toEqual(['b']);
    expect(rest.chatSessions.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(b.conversationType).toBe('COACHING');
    expect(c.draft).not.toBeNull();
  });

  it('renames and archives; archived sessions are hidden unless asked for', async () => {
    const user = await registerUser(server);
    const s = await createSession(server, user.token, 'GENERAL', 'old');
    const renamed = await server.ok(RenameChatSessionDocument, { id: s.id, title: '  New title ' }, { token: user.token });
    expect(renamed.renameChatSession.title).toBe('New title');
    expectError(await server.gql(RenameChatSessionDocument, { id: s.id, title: '   ' }, { token: user.token }), 'BAD_USER_INPUT', 'title');
    expect((await server.ok(ArchiveChatSessionDocument, { id: s.id }, { token: user.token })).archiveChatSession.archived).toBe(true);
    expect((await server.ok(ChatSessionsDocument, {}, { token: user.token })).chatSessions.totalCount).toBe(0);
    const all = await server.ok(ChatSessionsDocument, { includeArchived: true }, { token: user.token });
    expect(all.chatSessions.edges.map((e) => e.node.id)).toEqual([s.id]);
  });

  it('deletes a session with its messages and draft, keeping its journal entries with sessionId null', async () => {
    const token = alice.token;
    const s = await createSession(server, token);
    await appendMessages(server, s.id, 3);
    await server.ok(UpdateDraftDocument, { input: { sessionId: s.id, sections: [{ name: 'Journal', content: 'stays' }] } }, { token });
    const { finalizeDraft: entry } = await server.ok(FinalizeDraftDocument, { sessionId: s.id }, { token });
    expect((await server.ok(DeleteChatSessionDocument, { id: s.id }, { token })).deleteChatSession).toBe(true);
    expectError(await server.gql(ChatSessionDocument, { id: s.id }, { token }), 'NOT_FOUND');
    expect((await server.ok(JournalEntryDocument, { id: entry.id }, { token })).journalEntry).toMatchObject({ title: 'stays', sessionId: null });
    const left = await server.app.orm.em
      .fork()
      .getConnection()
      .execute(
        'select (select count(*) from message where session_id = ?)::int as messages, (select count(*) from draft where session_id = ?)::int as drafts',
        [s.id, s.id],
      );
    expect(left[0]).toEqual({ messages: 0, drafts: 0 });
    expectError(await server.gql(DeleteChatSessionDocument, { id: s.id }, { token }), 'NOT_FOUND');
  });
});

describe('messages', () => {
  let sessionId: string;
  const TOTAL = 250;
  beforeAll(async () => {
    sessionId = (await createSession(server, alice.token, 'GENERAL', 'long chat')).id;
    await appendMessages(server, sessionId, TOTAL);
  });

  const page = (vars: { first?: number; after?: string | null; last?: number; before?: string | null }) =>
    server.ok(SessionMessagesDocument, { id: sessionId, ...vars }, { token: alice.token }).then((d) => d.chatSession.messages);

  it('pages forward (first/after) over 250 messages: every message once, oldest first', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const p = await page({ first: 40, after });
      expect(p.totalCount).toBe(TOTAL);
      seen.push(...p.edges.map((e) => e.node.content));
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: TOTAL }, (_, i) => `message ${i + 1}`));
  });

  it('pages backward (last/before) over 250 messages: the newest page first, every message once', async () => {
    const pages: string[][] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const p = await page({ last: 40, before });
      pages.push(p.edges.map((e) => e.node.content));
      expect(p.pageInfo.hasNextPage).toBe(before !== null);
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(pages[0]!.at(-1)).toBe(`message ${TOTAL}`);
    expect(pages.reverse().flat()).toEqual(Array.from({ length: TOTAL }, (_, i) => `message ${i + 1}`));
  });

  it('returns messages with role, session and order, and refuses page sizes over 100 and mixed first/last', async () => {
    const p = await page({ first: 2 });
    expect(p.edges.map((e) => [e.node.role, e.node.sessionId, e.node.runId])).toEqual([
      ['USER', sessionId, null],
      ['ASSISTANT', sessionId, null],
    ]);
    expectError(await server.gql(SessionMessagesDocument, { id: sessionId, first: 101 }, { token: alice.token }), 'BAD_USER_INPUT', 'first');
    expectError(await server.gql(SessionMessagesDocument, { id: sessionId, first: 5, last: 5 }, { token: alice.token }), 'BAD_USER_INPUT', 'last');
    expectError(await server.gql(SessionMessagesDocument, { id: sessionId, after: 'nonsense' }, { token: alice.token }), 'BAD_USER_INPUT', 'after');
  });
});

describe('listing sessions with their messages and drafts', () => {
  it('takes a constant number of SQL statements, however many sessions and messages there are', async () => {
    const user = await registerUser(server);
    const list = () => server.ok(ChatSessionsWithMessagesDocument, { first: 20, last: 20 }, { token: user.token });
    const fill = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = await createSession(server, user.token, i % 2 ? 'GENERAL' : 'JOURNALING');
        await appendMessages(server, s.id, 22);
      }
    };
    await fill(2);
    const few = await countStatements(server, list);
    await fill(18);
    let data: Awaited<ReturnType<typeof list>> | undefined;
    const many = await countStatements(server, async () => (data = await list()));

    expect(data!.chatSessions.edges).toHaveLength(20);
    for (const { node } of data!.chatSessions.edges) {
      expect(node.messages.totalCount).toBe(22);
      expect(node.messages.edges.map((e) => e.node.content)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i + 3}`));
    }
    expect(data!.chatSessions.edges.filter((e) => e.node.draft)).toHaveLength(10);
    // auth (1-2), sessions + count, one message window query, one draft query.
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(6);
  });
});
