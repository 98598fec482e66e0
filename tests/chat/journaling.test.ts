import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatSessionDocument,
  DeleteJournalEntryDocument,
  DiscardDraftDocument,
  FinalizeDraftDocument,
  JournalEntriesDocument,
  JournalEntryDocument,
  UpdateDraftDocument,
} from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { expectError } from '../helpers/errors.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { itNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let alice: TestUser;
beforeAll(async () => {
  server = await startTestServer();
  alice = await registerUser(server);
});
afterAll(() => server?.stop());

describe('the journaling flow', () => {
  it('merges text into sections (by name or alias), finalizes it into a searchable entry, and starts an empty draft', async () => {
    const token = alice.token;
    const session = await createSession(server, token, 'JOURNALING', 'Tuesday evening');
    expect(session.draft).toMatchObject({ sessionId: session.id, sections: [], isEmpty: true });

    await server.ok(
      UpdateDraftDocument,
      { input: { sessionId: session.id, sections: [{ name: 'daily events', content: 'Walked to the harbour with Sam.' }] } },
      { token },
    );
    // "Feelings" is an alias of "Thoughts & Feelings"; the second MERGE appends after a blank line.
    await server.ok(
      UpdateDraftDocument,
      { input: { sessionId: session.id, mode: 'MERGE', sections: [{ name: 'Feelings', content: 'Calm, a little tired.' }] } },
      { token },
    );
    const merged = await server.ok(
      UpdateDraftDocument,
      { input: { sessionId: session.id, sections: [{ name: 'Daily Events', content: 'Cooked risotto afterwards.' }] } },
      { token },
    );
    expect(merged.updateDraft.isEmpty).toBe(false);
    expect(merged.updateDraft.sections).toEqual([
      { name: 'Daily Events', content: 'Walked to the harbour with Sam.\n\nCooked risotto afterwards.' },
      { name: 'Thoughts & Feelings', content: 'Calm, a little tired.' },
    ]);

    const { finalizeDraft: entry } = await server.ok(FinalizeDraftDocument, { sessionId: session.id }, { token });
    expect(entry.title).toBe('Walked to the harbour with Sam. Cooked risotto aft');
    expect(entry.title).toHaveLength(50);
    expect(entry.sessionId).toBe(session.id);
    expect(entry.sections).toEqual(merged.updateDraft.sections);

    const listed = await server.ok(JournalEntriesDocument, {}, { token });
    expect(listed.journalEntries.edges.map((e) => e.node.id)).toEqual([entry.id]);
    // Full-text search stems words: "harbours" finds "harbour", "cooking" finds "Cooked".
    for (const search of ['harbours', 'cooking risotto', 'tired']) {
      const found = await server.ok(JournalEntriesDocument, { search }, { token });
      expect(
        found.journalEntries.edges.map((e) => e.node.id),
        search,
      ).toEqual([entry.id]);
    }
    const missed = await server.ok(JournalEntriesDocument, { search: 'mountains' }, { token });
    expect(missed.journalEntries).toMatchObject({ edges: [], totalCount: 0 });

    const after = await server.ok(ChatSessionDocument, { id: session.id }, { token });
    expect(after.chatSession.draft).toMatchObject({ sections: [], isEmpty: true });

    const again = await server.gql(FinalizeDraftDocument, { sessionId: session.id }, { token });
    expectError(again, 'DRAFT_EMPTY');
    expect((await server.ok(JournalEntriesDocument, {}, { token })).journalEntries.totalCount).toBe(1);
  });

  it('lets one session produce several entries, newest first', async () => {
    const token = alice.token;
    const session = await createSession(server, token);
    const titles: string[] = [];
    for (const text of ['First evening of the retreat', 'Second evening of the retreat']) {
      await server.ok(UpdateDraftDocument, { input: { sessionId: session.id, sections: [{ name: 'Open Reflection', content: text }] } }, { token });
      titles.push((await server.ok(FinalizeDraftDocument, { sessionId: session.id }, { token })).finalizeDraft.title);
    }
    const found = await server.ok(JournalEntriesDocument, { search: 'retreat' }, { token });
    expect(found.journalEntries.edges.map((e) => e.node.title)).toEqual([...titles].reverse());
  });

  it('REPLACE sets a section, an empty REPLACE removes it, and discardDraft empties the draft', async () => {
    const token = alice.token;
    const session = await createSession(server, token);
    const input = (mode: 'MERGE' | 'REPLACE', name: string, content: string) => ({ input: { sessionId: session.id, mode, sections: [{ name, content }] } });
    await server.ok(UpdateDraftDocument, input('MERGE', 'Open Reflection', 'one'), { token });
    await server.ok(UpdateDraftDocument, input('MERGE', 'Mood', 'fine'), { token });
    const replaced = await server.ok(UpdateDraftDocument, input('REPLACE', 'reflection', 'two'), { token });
    expect(replaced.updateDraft.sections).toEqual([
      { name: 'Open Reflection', content: 'two' },
      { name: 'Thoughts & Feelings', content: 'fine' },
    ]);
    const removed = await server.ok(UpdateDraftDocument, input('REPLACE', 'Open Reflection', ''), { token });
    expect(removed.updateDraft.sections).toEqual([{ name: 'Thoughts & Feelings', content: 'fine' }]);
    const discarded = await server.ok(DiscardDraftDocument, { sessionId: session.id }, { token });
    expect(discarded.discardDraft).toMatchObject({ id: replaced.updateDraft.id, sections: [], isEmpty: true });
  });

  it('refuses a section the active template does not have, naming it, and changes nothing', async () => {
    const token = alice.token;
    const session = await createSession(server, token);
    await server.ok(UpdateDraftDocument, { input: { sessionId: session.id, sections: [{ name: 'Daily Events', content: 'kept' }] } }, { token });
    const result = await server.gql(
      UpdateDraftDocument,
      {
        input: {
          sessionId: session.id,
          sections: [
            { name: 'Daily Events', content: 'not kept' },
            { name: 'Trading Journal', content: 'x' },
          ],
        },
      },
      { token },
    );
    const error = expectError(result, 'BAD_USER_INPUT', 'sections[1].name');
    expect(error.message).toContain('Trading Journal');
    const after = await server.ok(ChatSessionDocument, { id: session.id }, { token });
    expect(after.chatSession.draft?.sections).toEqual([{ name: 'Daily Events', content: 'kept' }]);
  });

  it('gives GENERAL and COACHING sessions no draft', async () => {
    const token = alice.token;
    const session = await createSession(server, token, 'GENERAL');
    expect(session.draft).toBeNull();
    const result = await server.gql(UpdateDraftDocument, { input: { sessionId: session.id, sections: [{ name: 'Journal', content: 'x' }] } }, { token });
    expectError(result, 'BAD_USER_INPUT', 'sessionId');
  });

  itNeeding(RACES_NEED_POSTGRES, 'loses nothing when many MERGE updates hit one draft at once', async () => {
    // A fresh user: the same requests also race to create the default template.
    const { token } = await registerUser(server);
    const session = await createSession(server, token);
    const pieces = Array.from({ length: 16 }, (_, i) => `piece-${i}`);
    const results = await Promise.all(
      pieces.map((content, i) =>
        server.gql(UpdateDraftDocument, { input: { sessionId: session.id, sections: [{ name: i % 2 ? 'Daily Events' : 'Events', content }] } }, { token }),
      ),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const after = await server.ok(ChatSessionDocument, { id: session.id }, { token });
    const content = after.chatSession.draft!.sections[0]!.content;
    expect(after.chatSession.draft!.sections).toHaveLength(1);
    expect(content.split('\n\n').sort()).toEqual([...pieces].sort());
  });

  it('finds an entry by id and deletes it', async () => {
    const token = alice.token;
    const session = await createSession(server, token);
    await server.ok(UpdateDraftDocument, { input: { sessionId: session.id, sections: [{ name: 'Journal', content: 'ephemeral' }] } }, { token });
    const { finalizeDraft: entry } = await server.ok(FinalizeDraftDocument, { sessionId: session.id }, { token });
    expect((await server.ok(JournalEntryDocument, { id: entry.id }, { token })).journalEntry.title).toBe('ephemeral');
    expect((await server.ok(DeleteJournalEntryDocument, { id: entry.id }, { token })).deleteJournalEntry).toBe(true);
    expectError(await server.gql(JournalEntryDocument, { id: entry.id }, { token }), 'NOT_FOUND');
  });
});
