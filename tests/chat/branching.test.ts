import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BranchSessionsDocument,
  BranchStateDocument,
  CancelAgentRunDocument,
  ChatSessionEventsDocument,
  ChatSessionsDocument,
  ConfirmTransferDocument,
  EditMessageDocument,
  ExportMyDataDocument,
  ImportMyDataDocument,
  RegenerateMessageDocument,
  SendMessageDocument,
  SwitchBranchDocument,
  TransfersDocument,
} from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { deposit, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { converse, follow } from '../helpers/agent.js';
import { expectError } from '../helpers/errors.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import type { TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let fake: FakeOpenAi;
let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 3000, env: { ...OPERATOR_ENV } }));
  user = await registerUser(server);
});
afterAll(() => server?.stop());

async function branch(sessionId: string, token = user.token) {
  const { chatSession } = await server.ok(BranchStateDocument, { id: sessionId, first: 100 }, { token });
  return { leaf: chatSession.activeLeaf?.id ?? null, total: chatSession.messages.totalCount, path: chatSession.messages.edges.map((e) => e.node) };
}

/** What the model was sent, past the system prompt. */
const conversationSent = () =>
  fake.requests
    .at(-1)!
    .messages.filter((m) => m.role !== 'system')
    .map((m) => `${m.role}: ${String(m.content)}`);

async function regenerate(messageId: string) {
  const { regenerateMessage } = await server.ok(RegenerateMessageDocument, { messageId }, { token: user.token });
  return follow(server, user.token, regenerateMessage.id);
}

async function edit(messageId: string, text: string) {
  const { editMessage } = await server.ok(EditMessageDocument, { messageId, text }, { token: user.token });
  return follow(server, user.token, editMessage.id);
}

describe('a conversation is a tree whose active branch the server keeps', () => {
  it('regenerates an answer beside the old one, answering from the same question only', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const first = await converse(server, user.token, session.id, 'what is a budget?');
    const question = first.run.userMessage.id;
    const old = first.run.assistantMessage!.id;
    fake.script([[{ text: 'A plan for money.' }]]);
    const again = await regenerate(old);
    expect(again.run).toMatchObject({ status: 'SUCCEEDED', userMessage: { id: question } });
    expect(conversationSent()).toEqual(['user: what is a budget?']);
    const fresh = again.run.assistantMessage!.id;

    const state = await branch(session.id);
    expect(state.leaf).toBe(fresh);
    expect(state.total).toBe(2);
    expect(state.path.map((m) => [m.id, m.parentId])).toEqual([
      [question, null],
      [fresh, question],
    ]);
    expect(state.path[1]!.siblings).toEqual({ index: 1, count: 2, ids: [old, fresh] });
    expect(state.path[0]!.siblings).toEqual({ index: 0, count: 1, ids: [question] });
  });

  it('edits a question into a sibling with its own answer, and the next message follows the new branch', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const a = await converse(server, user.token, session.id, 'first question');
    const b = await converse(server, user.token, session.id, 'second question');
    const edited = await edit(b.run.userMessage.id, 'second question, reworded');
    expect(edited.text).toBe('You said: second question, reworded');
    expect(conversationSent()).toEqual([`user: first question`, `assistant: ${a.text}`, 'user: second question, reworded']);
    const c = await converse(server, user.token, session.id, 'third');
    expect(conversationSent()).toEqual([
      'user: first question',
      `assistant: ${a.text}`,
      'user: second question, reworded',
      `assistant: ${edited.text}`,
      'user: third',
    ]);
    const state = await branch(session.id);
    expect(state.path.map((m) => m.content)).toEqual(['first question', a.text, 'second question, reworded', edited.text, 'third', c.text]);
    expect(state.path[2]!.siblings).toEqual({ index: 1, count: 2, ids: [b.run.userMessage.id, edited.run.userMessage.id] });
    expect(state.path[2]!.parentId).toBe(a.run.assistantMessage!.id);
  });

  it('edits the first message into a second root', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const a = await converse(server, user.token, session.id, 'hello');
    const edited = await edit(a.run.userMessage.id, 'hello there');
    const state = await branch(session.id);
    expect(state.path.map((m) => m.content)).toEqual(['hello there', edited.text]);
    expect(state.path[0]).toMatchObject({ parentId: null, siblings: { index: 1, count: 2, ids: [a.run.userMessage.id, edited.run.userMessage.id] } });
  });

  it('switches to the newest leaf under a message, survives a reload, and tells other tabs', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const a = await converse(server, user.token, session.id, 'q1');
    const b = await converse(server, user.token, session.id, 'q2');
    const regenerated = await regenerate(a.run.assistantMessage!.id);
    expect((await branch(session.id)).path.map((m) => m.content)).toEqual(['q1', regenerated.text]);

    const tab = await server.subscribed(() => collect(server.ws(user.token), ChatSessionEventsDocument, { sessionId: session.id }));
    const switched = await server.ok(SwitchBranchDocument, { messageId: a.run.assistantMessage!.id }, { token: user.token });
    // The old answer's branch ends where it ended: q2's answer is the newest leaf under it.
    expect(switched.switchBranch.activeLeaf?.id).toBe(b.run.assistantMessage!.id);
    const [event] = (await tab.waitFor(1)).map((e) => e.chatSessionEvents);
    expect(event).toMatchObject({ __typename: 'ActiveLeafChanged', sessionId: session.id, seq: 0, leaf: { id: b.run.assistantMessage!.id } });
    tab.stop();

    // Another device, or a reload, reads the same branch.
    const state = await branch(session.id);
    expect(state.leaf).toBe(b.run.assistantMessage!.id);
    expect(state.path.map((m) => m.content)).toEqual(['q1', a.text, 'q2', b.text]);
    const next = await converse(server, user.token, session.id, 'q3');
    expect(conversationSent()).toEqual(['user: q1', `assistant: ${a.text}`, 'user: q2', `assistant: ${b.text}`, 'user: q3']);
    expect(next.run.userMessage.id).toBe((await branch(session.id)).path[4]!.id);

    const back = await server.ok(SwitchBranchDocument, { messageId: a.run.userMessage.id }, { token: user.token });
    // Under q1 the newest child is the regenerated answer, a leaf.
    expect(back.switchBranch.activeLeaf?.id).toBe(regenerated.run.assistantMessage!.id);
  });

  it('pages the active branch in both directions, counting only that branch', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const a = await converse(server, user.token, session.id, 'one');
    await converse(server, user.token, session.id, 'two');
    await edit(a.run.userMessage.id, 'uno');
    await converse(server, user.token, session.id, 'dos');
    const all = (await branch(session.id)).path.map((m) => m.content);
    expect(all).toEqual(['uno', 'You said: uno', 'dos', 'You said: dos']);

    const newest = (await server.ok(BranchStateDocument, { id: session.id, last: 3 }, { token: user.token })).chatSession.messages;
    expect(newest.totalCount).toBe(4);
    expect(newest.edges.map((e) => e.node.content)).toEqual(all.slice(1));
    expect(newest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const older = (await server.ok(BranchStateDocument, { id: session.id, last: 3, before: newest.pageInfo.startCursor }, { token: user.token })).chatSession
      .messages;
    expect(older.edges.map((e) => e.node.content)).toEqual(['uno']);
    expect(older.pageInfo.hasPreviousPage).toBe(false);

    const head = (await server.ok(BranchStateDocument, { id: session.id, first: 2 }, { token: user.token })).chatSession.messages;
    expect(head.edges.map((e) => e.node.content)).toEqual(all.slice(0, 2));
    const rest = (await server.ok(BranchStateDocument, { id: session.id, first: 10, after: head.pageInfo.endCursor }, { token: user.token })).chatSession
      .messages;
    expect(rest.edges.map((e) => e.node.content)).toEqual(all.slice(2));
    expect(rest).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    const past = (await server.ok(BranchStateDocument, { id: session.id, first: 10, after: rest.pageInfo.endCursor }, { token: user.token })).chatSession
      .messages;
    expect(past).toMatchObject({ totalCount: 4, edges: [] });
  });
});

describe('sessions listed together', () => {
  it('page each branch on its own, counting a branch whose window is empty', async () => {
    const owner = await registerUser(server);
    const long = await createSession(server, owner.token, 'GENERAL');
    const short = await createSession(server, owner.token, 'GENERAL');
    await converse(server, owner.token, long.id, 'one');
    await converse(server, owner.token, long.id, 'two');
    await converse(server, owner.token, short.id, 'only');
    const cursor = (await server.ok(BranchStateDocument, { id: short.id, first: 2 }, { token: owner.token })).chatSession.messages.pageInfo.endCursor;
    const listed = (await server.ok(BranchSessionsDocument, { after: cursor }, { token: owner.token })).chatSessions.edges.map((e) => e.node);
    const page = (id: string) => listed.find((s) => s.id === id)!.messages;
    expect(page(long.id)).toMatchObject({ totalCount: 4 });
    expect(page(long.id).edges).toHaveLength(2);
    expect(page(short.id)).toEqual({ totalCount: 2, edges: [] });
  });
});

describe('what cannot branch', () => {
  it('refuses to regenerate a question or edit an answer: NOT_BRANCHABLE', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const a = await converse(server, user.token, session.id, 'hi');
    expectError(await server.gql(RegenerateMessageDocument, { messageId: a.run.userMessage.id }, { token: user.token }), 'NOT_BRANCHABLE');
    expectError(await server.gql(EditMessageDocument, { messageId: a.run.assistantMessage!.id, text: 'rewritten' }, { token: user.token }), 'NOT_BRANCHABLE');
    expect((await branch(session.id)).path).toHaveLength(2);
  });

  it("answers NOT_FOUND for another user's message or an unknown id, and BAD_USER_INPUT for a blank edit", async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const a = await converse(server, user.token, session.id, 'mine');
    const stranger = await registerUser(server);
    for (const messageId of [a.run.assistantMessage!.id, a.run.userMessage.id, '0190a0a0-0000-7000-8000-000000000000', 'not-an-id']) {
      expectError(await server.gql(RegenerateMessageDocument, { messageId }, { token: stranger.token }), 'NOT_FOUND');
      expectError(await server.gql(EditMessageDocument, { messageId, text: 'x' }, { token: stranger.token }), 'NOT_FOUND');
      expectError(await server.gql(SwitchBranchDocument, { messageId }, { token: stranger.token }), 'NOT_FOUND');
    }
    expectError(await server.gql(EditMessageDocument, { messageId: a.run.userMessage.id, text: '   ' }, { token: user.token }), 'BAD_USER_INPUT', 'text');
    expect((await branch(session.id)).leaf).toBe(a.run.assistantMessage!.id);
  });

  it('keeps one run at a time: RUN_IN_PROGRESS for regenerate, edit and switch while a run answers', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const a = await converse(server, user.token, session.id, 'first');
    let release!: () => void;
    fake.script([[{ until: new Promise<void>((r) => (release = r)) }, { text: 'late' }]]);
    const running = (await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'second' } }, { token: user.token })).sendMessage;
    for (const result of [
      await server.gql(RegenerateMessageDocument, { messageId: a.run.assistantMessage!.id }, { token: user.token }),
      await server.gql(EditMessageDocument, { messageId: a.run.userMessage.id, text: 'other' }, { token: user.token }),
      await server.gql(SwitchBranchDocument, { messageId: a.run.assistantMessage!.id }, { token: user.token }),
    ]) {
      expectError(result, 'RUN_IN_PROGRESS');
    }
    await server.ok(CancelAgentRunDocument, { id: running.id }, { token: user.token });
    release();
    expect((await follow(server, user.token, running.id)).run.status).toBe('CANCELLED');
    expect((await branch(session.id)).path.map((m) => m.content)).toEqual(['first', a.text, 'second']);
  });
});

describe('a transfer proposed in a branch the user leaves', () => {
  it('stays pending and confirmable, and the new branch never mentions it to the model', async () => {
    const op = await loginOperator(server);
    const owner = user;
    const checking = await openAccount(server, owner.token, 'USD', 'Checking');
    const savings = await openAccount(server, owner.token, 'USD', 'Savings');
    await deposit(server, op, checking.id, 10_000);
    const session = await createSession(server, owner.token, 'COACHING');
    const args = { fromAccountId: checking.id, toAccountId: savings.id, amountMinor: '2500', currency: 'USD' };
    fake.script([
      [{ toolCall: { id: 'call_1', name: 'propose_transfer', arguments: JSON.stringify(args) } }],
      [{ text: 'I proposed moving 25.00 to Savings: confirm it.' }],
    ]);
    const proposing = await converse(server, owner.token, session.id, 'move 25 to savings');
    const [proposed] = proposing.of('TransferProposed');
    expect(proposed!.transfer.status).toBe('PENDING_CONFIRMATION');

    fake.script([[{ text: 'Saving is a good habit.' }]]);
    await regenerate(proposing.run.assistantMessage!.id);
    const sent = fake.requests
      .at(-1)!
      .messages.map((m) => JSON.stringify(m))
      .join('\n');
    expect(sent).not.toContain('proposed moving');
    expect(sent).not.toContain('call_1');

    const pending = (await server.ok(TransfersDocument, { status: 'PENDING_CONFIRMATION' }, { token: owner.token })).transfers.edges.map((e) => e.node.id);
    expect(pending).toEqual([proposed!.transfer.id]);
    const confirmed = await server.ok(ConfirmTransferDocument, { id: proposed!.transfer.id }, { token: owner.token });
    expect(confirmed.confirmTransfer.status).toBe('POSTED');
  });
});

describe('export and import carry the whole tree and the active branch', () => {
  interface TreeDoc {
    title: string | null;
    messages: Array<{ content: string; parent?: number | null }>;
    activeLeaf?: number | null;
  }
  const treesOf = async (token: string) => ((await server.ok(ExportMyDataDocument, {}, { token })).exportMyData as { chatSessions: TreeDoc[] }).chatSessions;

  it('restores every branch and the chosen one, and a second import doubles nothing', async () => {
    const owner = await registerUser(server);
    const session = await createSession(server, owner.token, 'GENERAL', 'Branched');
    const a = await converse(server, owner.token, session.id, 'root');
    fake.script([[{ text: 'second answer' }]]);
    const { regenerateMessage } = await server.ok(RegenerateMessageDocument, { messageId: a.run.assistantMessage!.id }, { token: owner.token });
    await follow(server, owner.token, regenerateMessage.id);
    await server.ok(SwitchBranchDocument, { messageId: a.run.assistantMessage!.id }, { token: owner.token });

    const [tree] = await treesOf(owner.token);
    expect(tree).toMatchObject({
      messages: [
        { content: 'root', parent: null },
        { content: a.text, parent: 0 },
        { content: 'second answer', parent: 0 },
      ],
      activeLeaf: 1,
    });

    const copy = await registerUser(server);
    const data = (await server.ok(ExportMyDataDocument, {}, { token: owner.token })).exportMyData;
    expect((await server.ok(ImportMyDataDocument, { data }, { token: copy.token })).importMyData).toMatchObject({ chatSessions: 1, messages: 3 });
    expect(await treesOf(copy.token)).toEqual(await treesOf(owner.token));
    const imported = (await server.ok(ChatSessionsDocument, {}, { token: copy.token })).chatSessions.edges[0]!.node.id;
    expect((await branch(imported, copy.token)).path.map((m) => m.content)).toEqual(['root', a.text]);

    expect((await server.ok(ImportMyDataDocument, { data }, { token: copy.token })).importMyData).toMatchObject({ chatSessions: 0, messages: 0 });
    expect(await treesOf(copy.token)).toEqual(await treesOf(owner.token));
  });

  it('reads a document without parents as one path ending at its last message, and refuses a parent that is not earlier', async () => {
    const owner = await registerUser(server);
    await createSession(server, owner.token, 'GENERAL', 'Flat');
    const data = (await server.ok(ExportMyDataDocument, {}, { token: owner.token })).exportMyData as { chatSessions: TreeDoc[] };
    const at = '2026-01-01T00:00:00.000Z';
    data.chatSessions[0]!.messages = ['a', 'b', 'c'].map((content, i) => ({ role: i % 2 ? 'ASSISTANT' : 'USER', content, createdAt: at }));
    delete data.chatSessions[0]!.activeLeaf;
    const flat = await registerUser(server);
    await server.ok(ImportMyDataDocument, { data }, { token: flat.token });
    const [tree] = await treesOf(flat.token);
    expect(tree!.messages.map((m) => m.parent)).toEqual([null, 0, 1]);
    expect(tree!.activeLeaf).toBe(2);

    data.chatSessions[0]!.messages[1]!.parent = 2;
    expectError(
      await server.gql(ImportMyDataDocument, { data }, { token: (await registerUser(server)).token }),
      'BAD_USER_INPUT',
      'chatSessions[0].messages[1].parent',
    );
  });
});
