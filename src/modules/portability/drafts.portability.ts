import type { SchemaObject } from 'ajv';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { canonicalTimeZone } from '../../shared/time-zone.js';
import type { JournalEntryDoc, PreferencesDoc, SectionDoc, TemplateDoc } from '../drafts/drafts-document.service.js';
import { FeedbackStyle } from '../preferences/preferences.types.js';
import { templateSectionProblems } from '../drafts/sections.rules.js';
import { TIMESTAMP, bool, distinct, index, Invalid, list, nullable, oneOf, record, reference, text, timestamp } from './document-schema.js';

/* The document's preferences, templates and journal entries: their schemas and the checks past them. */

const MAX = { templates: 100, journalEntries: 100_000 } as const;

const listItems = list(text(SIZE_CAPS.listItem, 1), SIZE_CAPS.listItems);

export const preferencesSchema = record(
  {
    purposeStatement: nullable(text(SIZE_CAPS.purposeStatement)),
    longTermGoals: listItems,
    knownChallenges: listItems,
    preferredFeedbackStyle: oneOf(FeedbackStyle),
    personalGlossary: list(record({ term: text(SIZE_CAPS.glossaryTerm, 1), definition: text(SIZE_CAPS.glossaryDefinition) }), SIZE_CAPS.glossaryTerms),
    timeZone: { ...text(64, 1), hint: "must be an IANA time zone such as 'Europe/Paris'" },
  },
  ['timeZone'],
);

export function checkPreferences(p: PreferencesDoc): PreferencesDoc {
  const at = 'preferences.personalGlossary';
  distinct(
    p.personalGlossary.map((g) => g.term),
    (i) => `${at}[${i}].term`,
    (term) => `"${term}" is defined twice`,
  );
  if (p.timeZone === undefined) return p;
  const timeZone = canonicalTimeZone(p.timeZone);
  if (timeZone === undefined) throw new Invalid('preferences.timeZone', "must be an IANA time zone such as 'Europe/Paris'");
  return { ...p, timeZone };
}

const templateSection = record({
  name: text(SIZE_CAPS.sectionName, 1),
  description: text(SIZE_CAPS.sectionDescription),
  aliases: list(text(SIZE_CAPS.sectionName, 1), SIZE_CAPS.sectionAliases),
});

export const templatesSchema = list(
  record({ name: text(SIZE_CAPS.templateName, 1), active: bool, sections: list(templateSection, SIZE_CAPS.templateSections, 1) }),
  MAX.templates,
);

export function checkTemplates(templates: TemplateDoc[]): void {
  templates.forEach((t, i) => {
    const [clash] = templateSectionProblems(t.sections, `templates[${i}].sections`);
    if (clash) throw new Invalid(clash.field, clash.message);
  });
  const active = templates.filter((t) => t.active).length;
  if (templates.length > 0 && active !== 1) throw new Invalid('templates', `must have exactly one active template (found ${active})`);
}

/** A draft's or entry's sections: names unique ignoring case. */
export const sectionsSchema: SchemaObject = list(
  record({ name: text(SIZE_CAPS.sectionName, 1), content: text(SIZE_CAPS.sectionContent) }),
  SIZE_CAPS.templateSections,
);

export function checkSections(sections: SectionDoc[], path: string): void {
  distinct(
    sections.map((s) => s.name),
    (i) => `${path}[${i}].name`,
    (name) => `"${name}" appears twice`,
  );
}

export const journalEntriesSchema = list(
  record({ title: text(SIZE_CAPS.journalTitle, 1), sections: sectionsSchema, createdAt: TIMESTAMP, chatSession: reference('a session in chatSessions') }),
  MAX.journalEntries,
);

export function checkJournalEntries(entries: JournalEntryDoc[], sessionCount: number): JournalEntryDoc[] {
  return entries.map((e, i) => {
    const at = `journalEntries[${i}]`;
    index(e.chatSession, sessionCount, `${at}.chatSession`, 'a session in chatSessions');
    checkSections(e.sections, `${at}.sections`);
    return { ...e, createdAt: timestamp(e.createdAt, `${at}.createdAt`) };
  });
}
