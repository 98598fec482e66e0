/** The rows for journaling and preferences: save, not yet, a feedback style or purpose, and text for the draft. */
import { answer } from './local.action.js';
import { chooseSections, journalText } from './local.journal.js';
import * as reply from './local.replies.js';
import type { Row, Said } from './local.row.js';
import type { FeedbackStyle } from './provider.js';

const NEGATION = /\b(?:don'?t|do not|dont|not|no|never|wait|hold off|stop)\b/i;
const SAVE_WORD = /\b(?:save|finali[sz]e|submit)\b/i;
const SAVE_WITH_OBJECT = /\b(?:save|finali[sz]e|submit)\s+(?:it|this|that|(?:the|my)\s+(?:journal|entry|draft|diary)|journal|entry|draft)\b/i;
const SAVE_AT_END = /\b(?:save|finali[sz]e|submit)\b(?:\s+(?:now|please|for me|up|everything))*\s*[.!]*$/i;
const DECLINE_ALONE = /^(?:no+|nope|nah|not yet|wait|hold on|not now|later|maybe later)\b[\s,.!]*(?:not yet|thanks|thank you|please)?[\s.!]*$/i;

const STYLES: Array<[RegExp, FeedbackStyle]> = [
  [/\b(?:direct|blunt|straightforward|straight|frank)\b/i, 'DIRECT'],
  [/\b(?:supportive|gentle|gentler|kind|kinder|softer|compassionate)\b/i, 'SUPPORTIVE'],
  [/\b(?:encouraging|motivating|motivational|upbeat|positive|cheerful)\b/i, 'ENCOURAGING'],
];
const STYLE_CUE = /\b(?:prefer|preference|feedback|style|tone|be more|more|less|want|like|switch|change)\b/i;
const PURPOSE = /^(?:set |update |change )?(?:my )?purpose(?: statement)?(?: is| to|:)\s*(.+)$/i;
const JOURNAL_COMMAND = /\b(?:journal|diary)\b/i;
const QUESTION = /\?\s*$/;

/** "save it", "save the journal", "that's all, save"; not "I need to save" or "I did not save enough". */
function isSaveCommand(text: string): boolean {
  if (SAVE_WITH_OBJECT.test(text)) return true;
  if (!SAVE_AT_END.test(text)) return false;
  const before = text.slice(0, text.search(SAVE_WORD)).trim();
  const words = before === '' ? 0 : before.split(/\s+/).length;
  return words <= 2 || /[,.!;:]$|\b(?:and|then|now|please|so|ok(?:ay)?|just)$/i.test(before);
}

/** "don't save it yet": a save command said with a no. */
function isDeclinedSave(text: string): boolean {
  return NEGATION.test(text.slice(0, text.search(SAVE_WORD))) || /\byet\b/i.test(text);
}

type PreferenceUpdate = { preferredFeedbackStyle?: FeedbackStyle; purposeStatement?: string };

function preferenceUpdate(text: string): PreferenceUpdate | undefined {
  const purpose = PURPOSE.exec(text);
  if (purpose?.[1]?.trim()) return { purposeStatement: purpose[1].trim().replace(/[.!]+$/, '') };
  if (!STYLE_CUE.test(text) || !/\b(?:feedback|style|tone|prefer|be more|be less)\b/i.test(text)) return undefined;
  const negated = /\b(?:not|less|don'?t|no)\b/i;
  for (const [pattern, style] of STYLES) {
    const hit = pattern.exec(text);
    // "less blunt" asks for the opposite, which we cannot infer well: skip negated mentions.
    if (hit && !negated.test(text.slice(Math.max(0, hit.index - 12), hit.index))) return { preferredFeedbackStyle: style };
  }
  return undefined;
}

/** In a journaling conversation everything is journal text but a question; elsewhere only what names the journal. */
function isJournalText({ text, conversationType }: Said): boolean {
  const journaling = conversationType === 'JOURNALING';
  if (journaling && QUESTION.test(text) && !JOURNAL_COMMAND.test(text)) return false;
  return journaling || JOURNAL_COMMAND.test(text);
}

export const saveJournal: Row<object> = {
  kind: 'save_journal',
  tool: 'save_journal',
  example: `save it ("save the journal")`,
  match: ({ text }) => (isSaveCommand(text) && !isDeclinedSave(text) ? {} : undefined),
  reply: (_, __, saved) => reply.journalSaved(saved),
};

export const declineSave: Row<object> = {
  kind: 'decline_save',
  match: ({ text, conversationType }) =>
    (isSaveCommand(text) && isDeclinedSave(text)) || (conversationType === 'JOURNALING' && DECLINE_ALONE.test(text)) ? {} : undefined,
  reply: (_, { context }) => reply.saveDeclined(context),
};

export const preferences: Row<{ update: PreferenceUpdate }> = {
  kind: 'preferences',
  tool: 'update_preferences',
  example: `change how I give feedback ("I prefer direct feedback")`,
  match: ({ text }) => {
    const update = preferenceUpdate(text);
    return update ? { update } : undefined;
  },
  arguments: ({ update }) => ({ ...update }),
  reply: ({ update }) => reply.preferencesUpdated(update),
};

export const journal: Row<{ text: string }> = {
  kind: 'journal',
  tool: 'structure_journal',
  example: `write into your journal draft ("create a journal entry to say I'm sad")`,
  match: (said) => (isJournalText(said) ? { text: journalText(said.raw) } : undefined),
  arguments: ({ text }, { context }) => {
    if (text === '') return answer(reply.journalNeedsText(context), 'Rule: a journal request without content; ask for it.');
    if (context.templateSections.length === 0) return answer(reply.noTemplate(), 'Rule: no template sections to write into.');
    return { sections: chooseSections(text, context.templateSections) };
  },
  reply: ({ text }, { context, done }, result) => {
    const made = done.findLast((e) => e.name === 'structure_journal');
    const written = sectionsOf(made?.args) ?? chooseSections(text, context.templateSections);
    return reply.journalAdded(written, result, context);
  },
};

function sectionsOf(args: unknown): Array<{ name: string; content: string }> | undefined {
  const sections = (args as { sections?: unknown } | null)?.sections;
  if (!Array.isArray(sections)) return undefined;
  return sections.filter((s): s is { name: string; content: string } => typeof s?.name === 'string' && typeof s?.content === 'string');
}
