import { SIZE_CAPS } from '../../../shared/size-caps.js';
import { UpdateDraftInput } from '../../drafts/drafts.inputs.js';
import { UpdatePreferencesInput } from '../../preferences/preferences.inputs.js';
import { DraftUpdateMode } from '../../drafts/drafts.types.js';
import { draftSnapshot } from '../snapshots.js';
import type { Tool } from './tool.js';
import { validatedInput } from './validate-input.js';

const structureJournal: Tool = {
  definition: {
    name: 'structure_journal',
    description:
      "Adds what the user said to the session's journal draft, under the sections of their active template (names or aliases). Text is appended to a section that already has content.",
    parameters: {
      type: 'object',
      properties: {
        sections: {
          type: 'array',
          minItems: 1,
          maxItems: 30,
          items: {
            type: 'object',
            properties: { name: { type: 'string', minLength: 1, maxLength: 80 }, content: { type: 'string', minLength: 1, maxLength: 20_000 } },
            required: ['name', 'content'],
            additionalProperties: false,
          },
        },
      },
      required: ['sections'],
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth, session, writer }) {
    const input = await validatedInput(UpdateDraftInput, { sessionId: session.id, sections: args.sections, mode: DraftUpdateMode.MERGE });
    const draft = await services.drafts.update(auth, input);
    writer.emit('DraftUpdated', { draft: draftSnapshot(draft) });
    const template = await services.templates.active(auth.userId);
    const filled = new Set(draft.sections.filter((s) => s.content.trim() !== '').map((s) => s.name));
    return {
      draft: { sections: draft.sections.map((s) => ({ name: s.name, content: s.content })) },
      emptySections: template.sections.map((s) => s.name).filter((n) => !filled.has(n)),
    };
  },
};

const saveJournal: Tool = {
  definition: {
    name: 'save_journal',
    description: "Saves the session's draft as a journal entry and starts an empty draft. Only when the user asked to save.",
    parameters: { type: 'object', properties: {}, additionalProperties: false },
  },
  async execute(_args, { services, auth, session }) {
    const entry = await services.drafts.finalize(auth, session.id);
    return { journalEntryId: entry.id, title: entry.title };
  },
};

const updatePreferences: Tool = {
  definition: {
    name: 'update_preferences',
    description: "Changes the user's coaching preferences; fields left out stay as they are.",
    parameters: {
      type: 'object',
      properties: {
        purposeStatement: { type: 'string', maxLength: SIZE_CAPS.purposeStatement },
        longTermGoals: { type: 'array', items: { type: 'string' } },
        knownChallenges: { type: 'array', items: { type: 'string' } },
        preferredFeedbackStyle: { type: 'string', enum: ['SUPPORTIVE', 'DIRECT', 'ENCOURAGING'] },
        personalGlossary: {
          type: 'array',
          items: {
            type: 'object',
            properties: { term: { type: 'string' }, definition: { type: 'string' } },
            required: ['term', 'definition'],
            additionalProperties: false,
          },
        },
      },
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const preferences = await services.preferences.update(auth, await validatedInput(UpdatePreferencesInput, args));
    return {
      preferences: {
        purposeStatement: preferences.purposeStatement,
        longTermGoals: preferences.longTermGoals,
        knownChallenges: preferences.knownChallenges,
        preferredFeedbackStyle: preferences.preferredFeedbackStyle,
        personalGlossary: preferences.personalGlossary,
      },
    };
  },
};

const listJournalEntries: Tool = {
  definition: {
    name: 'list_journal_entries',
    description: "The user's saved journal entries, newest first, optionally matching words (full-text search over titles and sections).",
    parameters: {
      type: 'object',
      properties: { search: { type: 'string', maxLength: SIZE_CAPS.searchText }, limit: { type: 'integer', minimum: 1, maximum: 20 } },
      additionalProperties: false,
    },
  },
  async execute(args, { services, auth }) {
    const page = await services.journal.list(auth, { first: (args.limit as number | undefined) ?? 5, search: (args.search as string | undefined) ?? null });
    return {
      entries: page.edges.map(({ node }) => ({
        title: node.title,
        createdAt: node.createdAt.toISOString(),
        sections: node.sections.map((s) => ({ name: s.name, content: s.content })),
      })),
    };
  },
};

export const JOURNAL_TOOLS: Tool[] = [structureJournal, saveJournal, updatePreferences, listJournalEntries];
