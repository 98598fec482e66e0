import type { FieldProblem } from '../../shared/errors.js';
import type { SectionContent } from './draft.entity.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import type { TemplateSectionData } from './user-template.entity.js';

export const DEFAULT_TEMPLATE_NAME = 'Default Template';

export const DEFAULT_TEMPLATE_SECTIONS: TemplateSectionData[] = [
  {
    name: 'Open Reflection',
    description: 'General thoughts, daily reflections, or free-form journaling content',
    aliases: ['General Reflection', 'Reflection', 'Daily Notes', 'Journal', 'General'],
  },
  {
    name: 'Daily Events',
    description: 'What happened today: activities, meetings, conversations and notable moments',
    aliases: ['Events', 'Today', 'What Happened', 'Activities'],
  },
  {
    name: 'Thoughts & Feelings',
    description: 'Emotional state, mood, and inner reflections on what happened',
    aliases: ['Feelings', 'Thoughts', 'Emotions', 'Mood', 'Emotional State'],
  },
];

const key = (name: string) => name.trim().toLowerCase();

/** Canonical section name for a name or alias, case-insensitively; undefined when unknown. */
export function canonicalSection(template: TemplateSectionData[], name: string): string | undefined {
  const wanted = key(name);
  return template.find((s) => key(s.name) === wanted || s.aliases.some((a) => key(a) === wanted))?.name;
}

/** Applies one update to a draft's sections; the result keeps template order and drops empty ones. */
export function applySections(
  template: TemplateSectionData[],
  current: SectionContent[],
  updates: SectionContent[],
  mode: 'MERGE' | 'REPLACE',
): { sections: SectionContent[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const byName = new Map(current.map((s) => [s.name, s.content]));
  updates.forEach((update, i) => {
    const name = canonicalSection(template, update.name);
    if (!name) {
      const known = template.map((s) => s.name).join(', ');
      problems.push({ field: `sections[${i}].name`, message: `"${update.name}" is not a section of your active template (${known})` });
      return;
    }
    const text = update.content.trim();
    const before = byName.get(name) ?? '';
    const after = mode === 'REPLACE' || before === '' ? text : text === '' ? before : `${before}\n\n${text}`;
    if (after.length > SIZE_CAPS.sectionContent) {
      problems.push({ field: `sections[${i}].content`, message: `would make "${name}" longer than ${SIZE_CAPS.sectionContent} characters` });
      return;
    }
    byName.set(name, after);
  });
  const order = (name: string) => {
    const index = template.findIndex((s) => s.name === name);
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  const sections = [...byName.entries()]
    .filter(([, content]) => content !== '')
    .map(([name, content]) => ({ name, content }))
    .sort((a, b) => order(a.name) - order(b.name));
  return { sections, problems };
}

/** Rules for a template's sections that one field alone cannot check: unique names and aliases. */
export function templateSectionProblems(sections: TemplateSectionData[], path = 'sections'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Map<string, string>();
  sections.forEach((section, i) => {
    const names = [{ value: section.name, field: `${path}[${i}].name` }];
    section.aliases.forEach((alias, j) => names.push({ value: alias, field: `${path}[${i}].aliases[${j}]` }));
    for (const { value, field } of names) {
      const k = key(value);
      const owner = seen.get(k);
      if (owner !== undefined) {
        problems.push({ field, message: `"${value}" is already used by section "${owner}": names and aliases must be unique` });
      } else {
        seen.set(k, section.name);
      }
    }
  });
  return problems;
}

/** "The first 50 characters of the first non-empty section, else a dated title." */
export function entryTitle(sections: SectionContent[], now: Date): string {
  const first = sections.find((s) => s.content.trim() !== '');
  if (first) return Array.from(first.content.trim().replace(/\s+/g, ' ')).slice(0, 50).join('');
  return `Journal entry – ${now.toISOString().slice(0, 10)}`;
}
