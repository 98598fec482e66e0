import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActivateTemplateDocument,
  CreateChatSessionDocument,
  JournalEntriesDocument,
  PreferencesDocument,
  SaveTemplateDocument,
  TemplatesDocument,
  UpdateDraftDocument,
  UpdatePreferencesDocument,
} from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { expectError } from '../helpers/errors.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let alice: TestUser;
beforeAll(async () => {
  server = await startTestServer();
  alice = await registerUser(server);
});
afterAll(() => server?.stop());

const section = (name: string, aliases: string[] = []) => ({ name, description: `About ${name}`, aliases });

describe('templates', () => {
  it('start as the default template, active, with three described sections and aliases', async () => {
    const { templates } = await server.ok(TemplatesDocument, {}, { token: alice.token });
    expect(templates).toHaveLength(1);
    expect(templates[0]).toMatchObject({ name: 'Default Template', active: true });
    expect(templates[0]!.sections.map((s) => s.name)).toEqual(['Open Reflection', 'Daily Events', 'Thoughts & Feelings']);
    for (const s of templates[0]!.sections) {
      expect(s.description).not.toBe('');
      expect(s.aliases.length).toBeGreaterThan(0);
    }
  });

  it('saves, updates and activates; exactly one is active and drafts follow the active one', async () => {
    const user = await registerUser(server);
    const token = user.token;
    const created = await server.ok(
      SaveTemplateDocument,
      { input: { name: 'Trading', sections: [section('Trades', ['Positions']), section('Market Thoughts')] } },
      { token },
    );
    expect(created.saveTemplate.active).toBe(false);
    const updated = await server.ok(
      SaveTemplateDocument,
      { input: { id: created.saveTemplate.id, name: 'Trading journal', sections: [section('Trades', ['Positions']), section('Emotional State', ['Mood'])] } },
      { token },
    );
    expect(updated.saveTemplate).toMatchObject({ id: created.saveTemplate.id, name: 'Trading journal' });
    await server.ok(ActivateTemplateDocument, { id: created.saveTemplate.id }, { token });
    const { templates } = await server.ok(TemplatesDocument, {}, { token });
    expect(templates.map((t) => [t.name, t.active])).toEqual([
      ['Default Template', false],
      ['Trading journal', true],
    ]);
    const s = await createSession(server, token);
    const draft = await server.ok(
      UpdateDraftDocument,
      {
        input: {
          sessionId: s.id,
          sections: [
            { name: 'positions', content: 'Long ACME' },
            { name: 'MOOD', content: 'steady' },
          ],
        },
      },
      { token },
    );
    expect(draft.updateDraft.sections).toEqual([
      { name: 'Trades', content: 'Long ACME' },
      { name: 'Emotional State', content: 'steady' },
    ]);
    expectError(
      await server.gql(UpdateDraftDocument, { input: { sessionId: s.id, sections: [{ name: 'Daily Events', content: 'x' }] } }, { token }),
      'BAD_USER_INPUT',
      'sections[0].name',
    );
  });

  it('refuse too many sections, duplicate names or aliases, blank and oversized names and descriptions', async () => {
    const token = alice.token;
    const save = (input: { name: string; sections: ReturnType<typeof section>[] }) => server.gql(SaveTemplateDocument, { input }, { token });
    const many = Array.from({ length: 31 }, (_, i) => section(`Section ${i}`));
    expectError(await save({ name: 'Too many', sections: many }), 'BAD_USER_INPUT', 'sections');
    expectError(await save({ name: 'None', sections: [] }), 'BAD_USER_INPUT', 'sections');
    expectError(await save({ name: 'Dupes', sections: [section('Mood'), section('Events'), section('mood')] }), 'BAD_USER_INPUT', 'sections[2].name');
    expectError(await save({ name: 'Alias clash', sections: [section('Mood'), section('Events', ['MOOD'])] }), 'BAD_USER_INPUT', 'sections[1].aliases[0]');
    expectError(await save({ name: 'Long name', sections: [section('x'.repeat(81))] }), 'BAD_USER_INPUT', 'sections[0].name');
    expectError(await save({ name: 'Blank name', sections: [section('   ')] }), 'BAD_USER_INPUT', 'sections[0].name');
    expectError(
      await save({ name: 'Long description', sections: [{ name: 'A', description: 'd'.repeat(1001), aliases: [] }] }),
      'BAD_USER_INPUT',
      'sections[0].description',
    );
    expectError(await save({ name: '', sections: [section('A')] }), 'BAD_USER_INPUT', 'name');
    const { templates } = await server.ok(TemplatesDocument, {}, { token });
    expect(templates.map((t) => t.name)).toEqual(['Default Template']);
  });
});

describe('drafts and sessions', () => {
  it('refuse oversized text, too many sections and no sections, naming the field', async () => {
    const token = alice.token;
    const s = await createSession(server, token);
    const update = (sections: Array<{ name: string; content: string }>) => server.gql(UpdateDraftDocument, { input: { sessionId: s.id, sections } }, { token });
    expectError(await update([{ name: 'Journal', content: 'x'.repeat(10_001) }]), 'BAD_USER_INPUT', 'sections[0].content');
    expectError(await update(Array.from({ length: 31 }, () => ({ name: 'Journal', content: 'x' }))), 'BAD_USER_INPUT', 'sections');
    expectError(await update([]), 'BAD_USER_INPUT', 'sections');
    // Many MERGEs may not grow one section past its cap either.
    for (let i = 0; i < 4; i++)
      await server.ok(UpdateDraftDocument, { input: { sessionId: s.id, sections: [{ name: 'Journal', content: 'y'.repeat(10_000) }] } }, { token });
    expectError(await update([{ name: 'Journal', content: 'y'.repeat(10_000) }]), 'BAD_USER_INPUT', 'sections[0].content');

    expectError(
      await server.gql(CreateChatSessionDocument, { input: { conversationType: 'GENERAL', title: 't'.repeat(201) } }, { token }),
      'BAD_USER_INPUT',
      'title',
    );
    expectError(await server.gql(CreateChatSessionDocument, { input: { metadata: { blob: 'm'.repeat(20_000) } } }, { token }), 'BAD_USER_INPUT', 'metadata');
    expectError(await server.gql(CreateChatSessionDocument, { input: { metadata: [1, 2] } }, { token }), 'BAD_USER_INPUT', 'metadata');
    expectError(await server.gql(JournalEntriesDocument, { search: 's'.repeat(201) }, { token }), 'BAD_USER_INPUT', 'search');
  });
});

describe('preferences', () => {
  it('start at the defaults, and fields left out stay as they are', async () => {
    const user = await registerUser(server);
    const token = user.token;
    expect((await server.ok(PreferencesDocument, {}, { token })).preferences).toEqual({
      purposeStatement: null,
      longTermGoals: [],
      knownChallenges: [],
      preferredFeedbackStyle: 'SUPPORTIVE',
      personalGlossary: [],
    });
    await server.ok(
      UpdatePreferencesDocument,
      {
        input: {
          purposeStatement: 'Write every evening',
          longTermGoals: ['Run a marathon'],
          personalGlossary: [{ term: 'mindfulness', definition: 'Being present' }],
        },
      },
      { token },
    );
    const second = await server.ok(UpdatePreferencesDocument, { input: { preferredFeedbackStyle: 'DIRECT', knownChallenges: ['Procrastination'] } }, { token });
    expect(second.updatePreferences).toEqual({
      purposeStatement: 'Write every evening',
      longTermGoals: ['Run a marathon'],
      knownChallenges: ['Procrastination'],
      preferredFeedbackStyle: 'DIRECT',
      personalGlossary: [{ term: 'mindfulness', definition: 'Being present' }],
    });
    expect((await server.ok(PreferencesDocument, {}, { token })).preferences).toEqual(second.updatePreferences);
  });

  it('refuse an unknown feedback style, oversized text and too many items, naming the field', async () => {
    const token = alice.token;
    const update = (input: Record<string, unknown>) => server.gql(UpdatePreferencesDocument, { input } as never, { token });
    expectError(await update({ preferredFeedbackStyle: 'HARSH' }), 'BAD_USER_INPUT', 'preferredFeedbackStyle');
    expectError(await update({ purposeStatement: 'p'.repeat(2001) }), 'BAD_USER_INPUT', 'purposeStatement');
    expectError(await update({ longTermGoals: Array.from({ length: 21 }, (_, i) => `goal ${i}`) }), 'BAD_USER_INPUT', 'longTermGoals');
    expectError(await update({ knownChallenges: ['c'.repeat(501)] }), 'BAD_USER_INPUT', 'knownChallenges');
    expectError(await update({ personalGlossary: [{ term: 'x', definition: 'd'.repeat(1001) }] }), 'BAD_USER_INPUT', 'personalGlossary[0].definition');
    expectError(
      await update({
        personalGlossary: [
          { term: 'Flow', definition: 'a' },
          { term: 'flow', definition: 'b' },
        ],
      }),
      'BAD_USER_INPUT',
      'personalGlossary[1].term',
    );
    expect((await server.ok(PreferencesDocument, {}, { token })).preferences.preferredFeedbackStyle).toBe('SUPPORTIVE');
  });
});
