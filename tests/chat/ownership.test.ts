import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActivateTemplateDocument,
  ArchiveChatSessionDocument,
  ChatSessionDocument,
  DeleteChatSessionDocument,
  DeleteJournalEntryDocument,
  DiscardDraftDocument,
  ExportMyDataDocument,
  FinalizeDraftDocument,
  JournalEntryDocument,
  RenameChatSessionDocument,
  SaveTemplateDocument,
  SessionMessagesDocument,
  TemplatesDocument,
  UpdateDraftDocument,
} from '../generated/graphql.js';
import { appendMessages, createSession } from '../factories/chat.js';
import { expectError } from '../helpers/errors.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { GqlResult } from '../helpers/server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let owner: TestUser;
let intruder: TestUser;
let sessionId: string;
let entryId: string;
let templateId: string;
const MISSING = '01900000-0000-7000-8000-000000000000';

beforeAll(async () => {
  server = await startTestServer();
  owner = await registerUser(server);
  intruder = await registerUser(server);
  const token = owner.token;
  const done = await createSession(server, token, 'JOURNALING', 'finished');
  await server.ok(UpdateDraftDocument, { input: { sessionId: done.id, sections: [{ name: 'Journal', content: 'private entry' }] } }, { token });
  entryId = (await server.ok(FinalizeDraftDocument, { sessionId: done.id }, { token })).finalizeDraft.id;
  sessionId = (await createSession(server, token, 'JOURNALING', 'private')).id;
  await appendMessages(server, sessionId, 3);
  await server.ok(UpdateDraftDocument, { input: { sessionId, sections: [{ name: 'Journal', content: 'private draft' }] } }, { token });
  const saved = await server.ok(
    SaveTemplateDocument,
    { input: { name: 'Owner template', sections: [{ name: 'Only', description: 'the one section' }] } },
    { token },
  );
  templateId = saved.saveTemplate.id;
  // The intruder has data of their own, so "not found" cannot come from an empty account.
  await createSession(server, intruder.token);
});
afterAll(() => server?.stop());

describe("another user's ids", () => {
  const operations: Array<[string, (id: () => { session: string; entry: string; template: string }) => Promise<GqlResult<unknown>>]> = [
    ['chatSession', (id) => server.gql(ChatSessionDocument, { id: id().session }, { token: intruder.token })],
    ['chatSession.messages', (id) => server.gql(SessionMessagesDocument, { id: id().session, last: 5 }, { token: intruder.token })],
    ['renameChatSession', (id) => server.gql(RenameChatSessionDocument, { id: id().session, title: 'mine now' }, { token: intruder.token })],
    ['archiveChatSession', (id) => server.gql(ArchiveChatSessionDocument, { id: id().session }, { token: intruder.token })],
    ['deleteChatSession', (id) => server.gql(DeleteChatSessionDocument, { id: id().session }, { token: intruder.token })],
    [
      'updateDraft',
      (id) =>
        server.gql(
          UpdateDraftDocument,
          { input: { sessionId: id().session, mode: 'REPLACE', sections: [{ name: 'Journal', content: 'overwritten' }] } },
          { token: intruder.token },
        ),
    ],
    ['finalizeDraft', (id) => server.gql(FinalizeDraftDocument, { sessionId: id().session }, { token: intruder.token })],
    ['discardDraft', (id) => server.gql(DiscardDraftDocument, { sessionId: id().session }, { token: intruder.token })],
    ['journalEntry', (id) => server.gql(JournalEntryDocument, { id: id().entry }, { token: intruder.token })],
    ['deleteJournalEntry', (id) => server.gql(DeleteJournalEntryDocument, { id: id().entry }, { token: intruder.token })],
    [
      'saveTemplate (update)',
      (id) =>
        server.gql(
          SaveTemplateDocument,
          { input: { id: id().template, name: 'hijacked', sections: [{ name: 'X', description: '' }] } },
          { token: intruder.token },
        ),
    ],
    ['activateTemplate', (id) => server.gql(ActivateTemplateDocument, { id: id().template }, { token: intruder.token })],
  ];

  it.each(operations)('%s answers NOT_FOUND, exactly as for an id that does not exist', async (_name, run) => {
    const foreign = await run(() => ({ session: sessionId, entry: entryId, template: templateId }));
    const missing = await run(() => ({ session: MISSING, entry: MISSING, template: MISSING }));
    const malformed = await run(() => ({ session: 'not-a-uuid', entry: 'not-a-uuid', template: 'not-a-uuid' }));
    const a = expectError(foreign, 'NOT_FOUND');
    const b = expectError(missing, 'NOT_FOUND');
    expectError(malformed, 'NOT_FOUND');
    expect(a.message).toBe(b.message);
  });

  it("leaves the owner's data exactly as it was", async () => {
    const snapshot = await server.ok(ExportMyDataDocument, {}, { token: owner.token });
    const doc = snapshot.exportMyData as {
      chatSessions: Array<{ title: string; archived: boolean; messages: unknown[]; draft: unknown }>;
      journalEntries: unknown[];
    };
    expect(doc.chatSessions.map((s) => [s.title, s.archived, s.messages.length])).toEqual([
      ['finished', false, 0],
      ['private', false, 3],
    ]);
    expect(doc.chatSessions[1]!.draft).toEqual({ sections: [{ name: 'Open Reflection', content: 'private draft' }] });
    expect(doc.journalEntries).toHaveLength(1);
    const templates = await server.ok(TemplatesDocument, {}, { token: owner.token });
    expect(templates.templates.map((t) => [t.name, t.active])).toEqual([
      ['Default Template', true],
      ['Owner template', false],
    ]);
    const intruderTemplates = await server.ok(TemplatesDocument, {}, { token: intruder.token });
    expect(intruderTemplates.templates.map((t) => t.name)).toEqual(['Default Template']);
  });
});
