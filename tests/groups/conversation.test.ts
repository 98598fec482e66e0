import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AgentEventsDocument,
  AgentRunDocument,
  CancelAgentRunDocument,
  ChatSessionDocument,
  ChatSessionsDocument,
  CreateChatSessionDocument,
  DeleteChatSessionDocument,
  ExportMyDataDocument,
  ImportMyDataDocument,
  GroupChatDocument,
  GroupChatEventsDocument,
  LeaveGroupDocument,
  RemoveGroupMemberDocument,
  SendMessageDocument,
} from '../generated/graphql.js';
import { groupOf } from '../factories/groups.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { follow } from '../helpers/agent.js';
import { codeOf, expectError } from '../helpers/errors.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import type { TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let fake: FakeOpenAi;
let server: TestServer;
let ana: TestUser;
let ben: TestUser;
let cy: TestUser;
let eve: TestUser;
beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 5000 }));
  [ana, ben, cy, eve] = await Promise.all([registerUser(server), registerUser(server), registerUser(server), registerUser(server)]);
});
afterAll(() => server?.stop());
beforeEach(() => fake.reset());

async function sessionOf(groupId: string, member: TestUser): Promise<string> {
  return (await server.ok(GroupChatDocument, { id: groupId }, { token: member.token })).group.chatSession.id;
}

describe('the group conversation', () => {
  it('is one GROUP session per group that every member reads, writes in and follows, each message naming its writer', async () => {
    const groupId = await groupOf(server, ana, [ben]);
    const chat = (await server.ok(GroupChatDocument, { id: groupId }, { token: ben.token })).group.chatSession;
    expect(chat).toMatchObject({ conversationType: 'GROUP', activeRun: null, messages: { totalCount: 0 } });
    expect(await sessionOf(groupId, ana)).toBe(chat.id);

    fake.script([[{ text: 'Noted.' }]]);
    // Ben watches the session while Ana writes in it.
    const watching = await server.subscribed(() => collect(server.ws(ben.token), GroupChatEventsDocument, { sessionId: chat.id }));
    const sent = (await server.ok(SendMessageDocument, { input: { sessionId: chat.id, text: 'groceries were 30' } }, { token: ana.token })).sendMessage;
    // Ben follows Ana's run to its end, and reads it.
    const run = await follow(server, ben.token, sent.id);
    expect(run.run.status).toBe('SUCCEEDED');
    expect(run.text).toBe('Noted.');
    const seen = await watching.waitFor(1);
    const started = seen.map((e) => e.chatSessionEvents).find((e) => e.__typename === 'RunStarted');
    expect(started && 'userMessage' in started ? started.userMessage?.author : null).toEqual({ id: ana.user.id, username: ana.user.username });
    watching.stop();

    // Ben answers in the same conversation; the messages say who wrote which.
    fake.script([[{ text: 'Thanks, both.' }]]);
    const reply = (await server.ok(SendMessageDocument, { input: { sessionId: chat.id, text: 'I paid the rent' } }, { token: ben.token })).sendMessage;
    await follow(server, ana.token, reply.id);
    const messages = (await server.ok(GroupChatDocument, { id: groupId }, { token: ana.token })).group.chatSession.messages.edges.map((e) => e.node);
    expect(messages.map((m) => [m.role, m.content, m.author?.username ?? null])).toEqual([
      ['USER', 'groceries were 30', ana.user.username],
      ['ASSISTANT', 'Noted.', null],
      ['USER', 'I paid the rent', ben.user.username],
      ['ASSISTANT', 'Thanks, both.', null],
    ]);

    // Both members list it among their sessions; it cannot be made by hand or deleted.
    for (const member of [ana, ben]) {
      const listed = (await server.ok(ChatSessionsDocument, { first: 50 }, { token: member.token })).chatSessions.edges.map((e) => e.node.id);
      expect(listed).toContain(chat.id);
    }
    expectError(
      await server.gql(CreateChatSessionDocument, { input: { conversationType: 'GROUP' } }, { token: ana.token }),
      'BAD_USER_INPUT',
      'conversationType',
    );
    expectError(await server.gql(DeleteChatSessionDocument, { id: chat.id }, { token: ana.token }), 'FORBIDDEN');

    // Ben wrote in it too: it is not in its creator's export, and an import cannot make one.
    const exported = (await server.ok(ExportMyDataDocument, {}, { token: ana.token })).exportMyData as { chatSessions: Array<{ conversationType: string }> };
    expect(exported.chatSessions.map((s) => s.conversationType)).not.toContain('GROUP');
    const forged = {
      ...exported,
      chatSessions: [
        {
          ...exported.chatSessions[0],
          conversationType: 'GROUP',
          title: null,
          archived: false,
          metadata: null,
          createdAt: '2026-12-01T00:00:00.000Z',
          updatedAt: '2026-12-01T00:00:00.000Z',
          messages: [],
          draft: null,
          context: null,
        },
      ],
    };
    expectError(await server.gql(ImportMyDataDocument, { data: forged }, { token: ana.token }), 'BAD_USER_INPUT', 'chatSessions[0].conversationType');
  });

  it('is NOT_FOUND for anyone not in the group, exactly as a missing session', async () => {
    const groupId = await groupOf(server, ana, [ben]);
    const sessionId = await sessionOf(groupId, ana);
    const run = (await server.ok(SendMessageDocument, { input: { sessionId, text: 'hello' } }, { token: ana.token })).sendMessage;
    await follow(server, ana.token, run.id);
    expectError(await server.gql(ChatSessionDocument, { id: sessionId }, { token: eve.token }), 'NOT_FOUND');
    expectError(await server.gql(SendMessageDocument, { input: { sessionId, text: 'let me in' } }, { token: eve.token }), 'NOT_FOUND');
    expectError(await server.gql(AgentRunDocument, { id: run.id }, { token: eve.token }), 'NOT_FOUND');
    expectError(await server.gql(CancelAgentRunDocument, { id: run.id }, { token: eve.token }), 'NOT_FOUND');
    expectError(await server.gql(DeleteChatSessionDocument, { id: sessionId }, { token: eve.token }), 'NOT_FOUND');
    expect((await server.ok(ChatSessionsDocument, { first: 50 }, { token: eve.token })).chatSessions.edges.map((e) => e.node.id)).not.toContain(sessionId);
    for (const sub of [
      collect(server.ws(eve.token), GroupChatEventsDocument, { sessionId }),
      collect(server.ws(eve.token), AgentEventsDocument, { runId: run.id }),
    ]) {
      await sub.ended;
      expect(codeOf(sub)).toBe('NOT_FOUND');
      expect(sub.events).toEqual([]);
    }
  });

  it('runs one answer at a time: a second member gets RUN_IN_PROGRESS, and any member may cancel the run', async () => {
    const groupId = await groupOf(server, ana, [ben]);
    const sessionId = await sessionOf(groupId, ana);
    let release!: () => void;
    fake.script([[{ until: new Promise<void>((r) => (release = r)) }, { text: 'late' }]]);
    const running = (await server.ok(SendMessageDocument, { input: { sessionId, text: 'first' } }, { token: ana.token })).sendMessage;
    expectError(await server.gql(SendMessageDocument, { input: { sessionId, text: 'me too' } }, { token: ben.token }), 'RUN_IN_PROGRESS');
    expect((await server.ok(GroupChatDocument, { id: groupId }, { token: ben.token })).group.chatSession.activeRun?.id).toBe(running.id);
    await server.ok(CancelAgentRunDocument, { id: running.id }, { token: ben.token });
    release();
    expect((await follow(server, ana.token, running.id)).run.status).toBe('CANCELLED');
  });

  it('is lost at once by a member who leaves or is removed, open subscriptions included; its creator too', async () => {
    const groupId = await groupOf(server, ana, [ben, cy]);
    const sessionId = await sessionOf(groupId, ana);
    let release!: () => void;
    fake.script([[{ until: new Promise<void>((r) => (release = r)) }, { text: 'done' }]]);
    const running = (await server.ok(SendMessageDocument, { input: { sessionId, text: 'a long question' } }, { token: cy.token })).sendMessage;

    // Ben follows the session and the run as it streams; Cy follows the run too.
    const benSession = await server.subscribed(() => collect(server.ws(ben.token), GroupChatEventsDocument, { sessionId }));
    const benRun = collect(server.ws(ben.token), AgentEventsDocument, { runId: running.id });
    const cyRun = collect(server.ws(cy.token), AgentEventsDocument, { runId: running.id });
    await benRun.waitFor(1);
    await cyRun.waitFor(1);

    await server.ok(LeaveGroupDocument, { id: groupId }, { token: ben.token });
    // Ben's streams end while the run is still going.
    expect(await benSession.ended).toEqual({});
    expect(benSession.errors).toEqual([]);
    expect(await benRun.ended).toEqual({});
    expect(benRun.events.map((e) => e.agentEvents.__typename)).not.toContain('RunFinished');
    expectError(await server.gql(ChatSessionDocument, { id: sessionId }, { token: ben.token }), 'NOT_FOUND');
    expectError(await server.gql(AgentRunDocument, { id: running.id }, { token: ben.token }), 'NOT_FOUND');

    // Removed by the owner: the same, for Cy, whose own run it is.
    await server.ok(RemoveGroupMemberDocument, { groupId, userId: cy.user.id }, { token: ana.token });
    expect(await cyRun.ended).toEqual({});
    expect(cyRun.events.map((e) => e.agentEvents.__typename)).not.toContain('RunFinished');
    expectError(await server.gql(CancelAgentRunDocument, { id: running.id }, { token: cy.token }), 'NOT_FOUND');
    release();
    expect((await follow(server, ana.token, running.id)).run.status).toBe('SUCCEEDED');
    expectError(await server.gql(SendMessageDocument, { input: { sessionId, text: 'back?' } }, { token: cy.token }), 'NOT_FOUND');

    // The creator holds the session row, yet leaving takes it away as from anyone.
    await server.ok(GroupChatDocument, { id: groupId }, { token: ana.token });
    await server.ok(LeaveGroupDocument, { id: groupId }, { token: ana.token });
    expectError(await server.gql(ChatSessionDocument, { id: sessionId }, { token: ana.token }), 'NOT_FOUND');
    expect((await server.ok(ChatSessionsDocument, { first: 50 }, { token: ana.token })).chatSessions.edges.map((e) => e.node.id)).not.toContain(sessionId);
  });
});
