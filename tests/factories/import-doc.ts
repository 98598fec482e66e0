/** A document importMyData accepts, with `patch` applied to its first chat session. */
export function importDoc(session: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    format: 'coach-gateway/export',
    version: 1,
    exportedAt: '2026-01-01T00:00:00Z',
    preferences: { purposeStatement: null, longTermGoals: [], knownChallenges: [], preferredFeedbackStyle: 'ENCOURAGING', personalGlossary: [] },
    templates: [],
    chatSessions: [
      {
        title: 'Imported',
        conversationType: 'GENERAL',
        archived: false,
        metadata: { client: 'web' },
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
        messages: [{ role: 'USER', content: 'hi', createdAt: '2026-01-01T00:00:00Z' }],
        draft: null,
        ...session,
      },
    ],
    journalEntries: [],
    ...extra,
  };
}
