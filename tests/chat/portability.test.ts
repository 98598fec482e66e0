import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddPlanItemDocument,
  ArchiveChatSessionDocument,
  CreateChatSessionDocument,
  CreateGoalDocument,
  ExportMyDataDocument,
  FinalizeDraftDocument,
  ImportMyDataDocument,
  JournalEntriesDocument,
  SaveTemplateDocument,
  SaveWeeklyPlanDocument,
  UpdateDraftDocument,
  UpdatePreferencesDocument,
} from '../generated/graphql.js';
import { appendMessages, createSession } from '../factories/chat.js';
import { expectError } from '../helpers/errors.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let source: TestUser;
let exported: Record<string, unknown>;

beforeAll(async () => {
  server = await startTestServer();
  source = await registerUser(server);
  const token = source.token;
  await server.ok(
    UpdatePreferencesDocument,
    {
      input: {
        purposeStatement: 'Notice patterns in my week',
        longTermGoals: ['Sleep before midnight'],
        knownChallenges: ['Doomscrolling'],
        preferredFeedbackStyle: 'ENCOURAGING',
        personalGlossary: [{ term: 'deep work', definition: 'Focused, unbroken effort' }],
      },
    },
    { token },
  );
  await server.ok(
    SaveTemplateDocument,
    { input: { name: 'Gratitude', sections: [{ name: 'Grateful For', description: 'Three things', aliases: ['Thanks'] }] } },
    { token },
  );
  const journaling = await createSession(server, token, 'JOURNALING', 'Evening pages');
  await appendMessages(server, journaling.id, 5);
  await server.ok(
    UpdateDraftDocument,
    { input: { sessionId: journaling.id, sections: [{ name: 'Daily Events', content: 'Visited the lighthouse' }] } },
    { token },
  );
  await server.ok(FinalizeDraftDocument, { sessionId: journaling.id }, { token });
  await server.ok(UpdateDraftDocument, { input: { sessionId: journaling.id, sections: [{ name: 'Mood', content: 'Unfinished thought' }] } }, { token });
  const general = await createSession(server, token, 'GENERAL', 'Budget questions');
  await appendMessages(server, general.id, 3, (i) => `budget ${i}`);
  await server.ok(ArchiveChatSessionDocument, { id: general.id }, { token });
  const orphan = await createSession(server, token, 'JOURNALING');
  await server.ok(UpdateDraftDocument, { input: { sessionId: orphan.id, sections: [{ name: 'Journal', content: 'A lighthouse again' }] } }, { token });
  await server.ok(FinalizeDraftDocument, { sessionId: orphan.id }, { token });
  const goal = (
    await server.ok(
      CreateGoalDocument,
      { input: { title: 'Lighthouse trip', horizon: 'YEAR', priority: 'HIGH', targetMinor: '150000', currency: 'EUR', targetDate: '2027-05-31' } },
      { token },
    )
  ).createGoal;
  await server.ok(CreateGoalDocument, { input: { title: 'Sleep earlier', horizon: 'MONTH' } }, { token });
  await server.ok(SaveWeeklyPlanDocument, { input: { weekStart: '2026-11-30', summary: 'Calm week', focusAreas: ['rest', 'writing'] } }, { token });
  for (const [title, time] of [
    ['Swim', '07:15'],
    ['Pack bags', null],
    ['Book ferry', '18:00'],
  ] as const) {
    await server.ok(AddPlanItemDocument, { input: { date: '2026-12-02', title, time, goalId: title === 'Book ferry' ? goal.id : null } }, { token });
  }
  await server.ok(
    CreateChatSessionDocument,
    { input: { conversationType: 'PLANNING', title: 'Trip planning', context: { goalId: goal.id, planDate: '2026-12-02' } } },
    { token },
  );
  exported = (await server.ok(ExportMyDataDocument, {}, { token })).exportMyData as Record<string, unknown>;
});
afterAll(() => server?.stop());

const withoutStamp = (doc: Record<string, unknown>) => ({ ...doc, exportedAt: undefined });

describe('export and import', () => {
  it('exports everything the user owns, without ids, hashes or tokens', async () => {
    expect(exported).toMatchObject({ format: 'coach-gateway/export', version: 1 });
    const doc = exported as {
      chatSessions: Array<{ title: string; messages: unknown[]; draft: unknown }>;
      journalEntries: Array<{ chatSession: number | null }>;
      templates: unknown[];
    };
    expect(doc.chatSessions.map((s) => [s.title, s.messages.length])).toEqual([
      ['Evening pages', 5],
      ['Budget questions', 3],
      [null, 0],
      ['Trip planning', 0],
    ]);
    expect((doc.chatSessions[3] as unknown as { context: unknown }).context).toEqual({ goal: 0, planDate: '2026-12-02' });
    expect((doc.chatSessions[0] as unknown as { context: unknown }).context).toBeNull();
    expect(doc.chatSessions[0]!.draft).toEqual({ sections: [{ name: 'Thoughts & Feelings', content: 'Unfinished thought' }] });
    expect(doc.chatSessions[1]!.draft).toBeNull();
    expect(doc.journalEntries.map((e) => e.chatSession)).toEqual([0, 2]);
    expect(doc.templates).toHaveLength(2);
    const plans = exported as {
      goals: Array<{ title: string }>;
      plans: { weeks: unknown[]; days: Array<{ date: string; items: Array<{ title: string; goal: number | null }> }> };
    };
    expect(plans.goals.map((g) => g.title)).toEqual(['Lighthouse trip', 'Sleep earlier']);
    expect(plans.plans.weeks).toEqual([{ weekStart: '2026-11-30', summary: 'Calm week', focusAreas: ['rest', 'writing'] }]);
    const planned = plans.plans.days.find((d) => d.date === '2026-12-02')!;
    expect(planned.items.map((i) => [i.title, i.goal])).toEqual([
      ['Swim', null],
      ['Pack bags', null],
      ['Book ferry', 0],
    ]);
    const text = JSON.stringify(exported);
    expect(text).not.toContain(source.user.id);
    expect(text).not.toContain(source.password);
    expect(text).not.toMatch(/\$2[aby]\$/);
    expect(text).not.toContain(source.refreshToken);
    expect(text).not.toMatch(/"(id|passwordHash|tokenHash|userId)"/);
  });

  it('imports into a fresh account with new ids, and exporting that account gives the same content', async () => {
    const fresh = await registerUser(server);
    const summary = await server.ok(ImportMyDataDocument, { data: exported }, { token: fresh.token });
    expect(summary.importMyData).toEqual({ templates: 2, cards: 0, journalEntries: 2, chatSessions: 4, messages: 8, goals: 2, planItems: 3 });
    const again = (await server.ok(ExportMyDataDocument, {}, { token: fresh.token })).exportMyData as Record<string, unknown>;
    expect(withoutStamp(again)).toEqual(withoutStamp(exported));

    const search = await server.ok(JournalEntriesDocument, { search: 'lighthouse' }, { token: fresh.token });
    expect(search.journalEntries.totalCount).toBe(2);
    const mine = await server.ok(JournalEntriesDocument, { search: 'lighthouse' }, { token: source.token });
    const freshIds = search.journalEntries.edges.map((e) => e.node.id);
    for (const { node } of mine.journalEntries.edges) expect(freshIds).not.toContain(node.id);
    // The source account is untouched.
    const sourceAgain = (await server.ok(ExportMyDataDocument, {}, { token: source.token })).exportMyData as Record<string, unknown>;
    expect(withoutStamp(sourceAgain)).toEqual(withoutStamp(exported));
  });

  it('refuses a corrupted document, naming the first bad path, and writes nothing', async () => {
    const fresh = await registerUser(server);
    const before = (await server.ok(ExportMyDataDocument, {}, { token: fresh.token })).exportMyData as Record<string, unknown>;
    const corrupt = (mutate: (doc: any) => void) => {
      const doc = structuredClone(exported) as any;
      mutate(doc);
      return doc;
    };
    const cases: Array<[string, unknown]> = [
      ['chatSessions[2].messages[0].role', corrupt((d) => d.chatSessions[2].messages.push({ role: 'ROBOT', content: 'x', createdAt: '2026-01-01T00:00:00Z' }))],
      ['chatSessions[0].messages[3].content', corrupt((d) => (d.chatSessions[0].messages[3].content = 42))],
      ['journalEntries[1].chatSession', corrupt((d) => (d.journalEntries[1].chatSession = 7))],
      ['preferences.preferredFeedbackStyle', corrupt((d) => (d.preferences.preferredFeedbackStyle = 'HARSH'))],
      ['templates[1].sections[0].name', corrupt((d) => (d.templates[1].sections[0].name = ''))],
      ['templates', corrupt((d) => (d.templates[1].active = true))],
      ['chatSessions[1].draft', corrupt((d) => (d.chatSessions[1].draft = { sections: [] }))],
      ['plans.days[2].items[2].goal', corrupt((d) => (d.plans.days[2].items[2].goal = 9))],
      ['chatSessions[3].context.goal', corrupt((d) => (d.chatSessions[3].context.goal = 5))],
      ['plans.weeks[0].weekStart', corrupt((d) => (d.plans.weeks[0].weekStart = '2026-12-01'))],
      ['goals[0].targetMinor', corrupt((d) => (d.goals[0].targetMinor = '-5'))],
      ['goals[0].currency', corrupt((d) => (d.goals[0].currency = ' US'))],
      ['goals[0].currency', corrupt((d) => (d.goals[0].currency = 'XYZ'))],
      ['version', corrupt((d) => (d.version = 99))],
      ['chatSessions', corrupt((d) => (d.chatSessions = 'none'))],
    ];
    for (const [path, doc] of cases) {
      expectError(await server.gql(ImportMyDataDocument, { data: doc }, { token: fresh.token }), 'BAD_USER_INPUT', path);
    }
    expectError(await server.gql(ImportMyDataDocument, { data: 'not a document' }, { token: fresh.token }), 'BAD_USER_INPUT');
    const after = (await server.ok(ExportMyDataDocument, {}, { token: fresh.token })).exportMyData as Record<string, unknown>;
    expect(withoutStamp(after)).toEqual(withoutStamp(before));
    expect(after).toMatchObject({ chatSessions: [], journalEntries: [] });
  });
});
