import { dayProblem } from '../../shared/calendar-input.js';
import { badUserInput } from '../../shared/errors.js';
import { DATE_RANGE_TEXT, inDateRange, jsonProblem } from '../../shared/input-rules.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';
import { canonicalTimeZone, isoDay } from '../../shared/time-zone.js';
import { CardKind, CardStatus } from '../cards/card.entity.js';
import { ConversationType } from '../chat/chat-session.entity.js';
import { MessageRole } from '../chat/message.entity.js';
import { FeedbackStyle } from '../preferences/preferences.types.js';
import { templateSectionProblems } from '../drafts/sections.rules.js';
import { GoalHorizon, GoalStatus, Priority } from '../plans/goal.entity.js';
import { PlanItemStatus } from '../plans/plan.entity.js';
import type { GoalDoc, PlanItemDoc, PlansDoc } from './plans-document.js';

export const EXPORT_FORMAT = 'coach-gateway/export';
export const EXPORT_VERSION = 1;

export interface SectionDoc {
  name: string;
  content: string;
}

/** What exportMyData returns and importMyData accepts. Never ids, hashes or tokens. */
export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  preferences: {
    purposeStatement: string | null;
    longTermGoals: string[];
    knownChallenges: string[];
    preferredFeedbackStyle: FeedbackStyle;
    personalGlossary: Array<{ term: string; definition: string }>;
    /** IANA zone; optional on import. */
    timeZone?: string;
  };
  templates: Array<{ name: string; active: boolean; sections: Array<{ name: string; description: string; aliases: string[] }> }>;
  chatSessions: Array<{
    title: string | null;
    conversationType: ConversationType;
    archived: boolean;
    metadata: Record<string, unknown> | null;
    createdAt: string;
    updatedAt: string;
    messages: Array<{ role: MessageRole; content: string; createdAt: string }>;
    /** JOURNALING sessions only. */
    draft: { sections: SectionDoc[] } | null;
    /** What the session is about: `goal` indexes into goals. Optional on import. */
    context?: { goal: number | null; planDate: string | null } | null;
  }>;
  journalEntries: Array<{
    title: string;
    sections: SectionDoc[];
    createdAt: string;
    /** Index into chatSessions of the session it came from, or null. */
    chatSession: number | null;
  }>;
  /**
   * Payment cards: never a card number beyond its last four digits, never a security code.
   * Optional on import (documents from before cards have none).
   */
  cards: CardDoc[];
  /** Optional on import (documents from before goals have none). */
  goals: GoalDoc[];
  /** Optional on import. */
  plans: PlansDoc;
}

export interface CardDoc {
  /** The account it was on: restored onto the caller's account with this number, else the one with this name and currency. */
  account: { number: string; name: string; currency: string };
  kind: CardKind;
  label: string | null;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
  status: CardStatus;
  monthlyLimitMinor: string | null;
  createdAt: string;
}

const MAX = {
  goals: 1000,
  weeks: 1000,
  days: 10_000,
  items: 100_000,
  cards: 1000,
  templates: 100,
  chatSessions: 10_000,
  messages: 100_000,
  journalEntries: 100_000,
} as const;

/** Thrown at the first problem: the path says where, like `chatSessions[2].messages[0].role`. */
export class Invalid extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;

export function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Invalid(path, 'must be an object');
  return value as Obj;
}

export function array(value: unknown, path: string, max: number, min = 0): unknown[] {
  if (!Array.isArray(value)) throw new Invalid(path, 'must be an array');
  if (value.length < min || value.length > max) throw new Invalid(path, `must have ${min} to ${max} items`);
  return value;
}

export function text(value: unknown, path: string, max: number, min = 0): string {
  if (typeof value !== 'string') throw new Invalid(path, 'must be a string');
  if (value.length > max) throw new Invalid(path, `must be at most ${max} characters`);
  if (value.trim().length < min) throw new Invalid(path, 'must not be blank');
  return value;
}

export function nullableText(value: unknown, path: string, max: number): string | null {
  return value === null ? null : text(value, path, max);
}

export function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new Invalid(path, 'must be true or false');
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, allowed: Record<string, T>): T {
  const values = Object.values(allowed);
  if (typeof value !== 'string' || !values.includes(value as T)) throw new Invalid(path, `must be one of ${values.join(', ')}`);
  return value as T;
}

export function timestamp(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(new Date(value).getTime())) {
    throw new Invalid(path, 'must be an ISO-8601 date-time');
  }
  if (!inDateRange(new Date(value))) throw new Invalid(path, `must be ${DATE_RANGE_TEXT}`);
  return new Date(value).toISOString();
}

function sections(value: unknown, path: string, max: number): SectionDoc[] {
  const names = new Set<string>();
  return array(value, path, max).map((item, i) => {
    const at = `${path}[${i}]`;
    const s = object(item, at);
    const name = text(s.name, `${at}.name`, SIZE_CAPS.sectionName, 1);
    if (names.has(name.toLowerCase())) throw new Invalid(`${at}.name`, `"${name}" appears twice`);
    names.add(name.toLowerCase());
    return { name, content: text(s.content, `${at}.content`, SIZE_CAPS.sectionContent) };
  });
}

function parse(input: unknown): ExportDocument {
  const doc = object(input, '(document)');
  if (doc.format !== EXPORT_FORMAT) throw new Invalid('format', `must be "${EXPORT_FORMAT}"`);
  if (doc.version !== EXPORT_VERSION) throw new Invalid('version', `must be ${EXPORT_VERSION}: this server reads no other version`);

  const p = object(doc.preferences, 'preferences');
  const list = (value: unknown, path: string) => array(value, path, SIZE_CAPS.listItems).map((item, i) => text(item, `${path}[${i}]`, SIZE_CAPS.listItem, 1));
  const terms = new Set<string>();
  const preferences: ExportDocument['preferences'] = {
    purposeStatement: nullableText(p.purposeStatement, 'preferences.purposeStatement', SIZE_CAPS.purposeStatement),
    longTermGoals: list(p.longTermGoals, 'preferences.longTermGoals'),
    knownChallenges: list(p.knownChallenges, 'preferences.knownChallenges'),
    preferredFeedbackStyle: oneOf(p.preferredFeedbackStyle, 'preferences.preferredFeedbackStyle', FeedbackStyle),
    personalGlossary: array(p.personalGlossary, 'preferences.personalGlossary', SIZE_CAPS.glossaryTerms).map((item, i) => {
      const at = `preferences.personalGlossary[${i}]`;
      const g = object(item, at);
      const term = text(g.term, `${at}.term`, SIZE_CAPS.glossaryTerm, 1);
      if (terms.has(term.toLowerCase())) throw new Invalid(`${at}.term`, `"${term}" is defined twice`);
      terms.add(term.toLowerCase());
      return { term, definition: text(g.definition, `${at}.definition`, SIZE_CAPS.glossaryDefinition) };
    }),
    ...(p.timeZone === undefined ? {} : { timeZone: zone(p.timeZone, 'preferences.timeZone') }),
  };

  const templates = array(doc.templates, 'templates', MAX.templates).map((item, i) => {
    const at = `templates[${i}]`;
    const t = object(item, at);
    const secs = array(t.sections, `${at}.sections`, SIZE_CAPS.templateSections, 1).map((raw, j) => {
      const sat = `${at}.sections[${j}]`;
      const s = object(raw, sat);
      return {
        name: text(s.name, `${sat}.name`, SIZE_CAPS.sectionName, 1),
        description: text(s.description, `${sat}.description`, SIZE_CAPS.sectionDescription),
        aliases: array(s.aliases, `${sat}.aliases`, SIZE_CAPS.sectionAliases).map((a, k) => text(a, `${sat}.aliases[${k}]`, SIZE_CAPS.sectionName, 1)),
      };
    });
    const [clash] = templateSectionProblems(secs, `${at}.sections`);
    if (clash) throw new Invalid(clash.field, clash.message);
    return { name: text(t.name, `${at}.name`, SIZE_CAPS.templateName, 1), active: bool(t.active, `${at}.active`), sections: secs };
  });
  const active = templates.filter((t) => t.active).length;
  if (templates.length > 0 && active !== 1) throw new Invalid('templates', `must have exactly one active template (found ${active})`);

  const goals = doc.goals === undefined ? [] : array(doc.goals, 'goals', MAX.goals).map((item, i) => parseGoal(item, `goals[${i}]`));
  const goalCount = goals.length;
  let messageTotal = 0;
  const chatSessions = array(doc.chatSessions, 'chatSessions', MAX.chatSessions).map((item, i) => {
    const at = `chatSessions[${i}]`;
    const s = object(item, at);
    const conversationType = oneOf(s.conversationType, `${at}.conversationType`, ConversationType);
    const metadata = s.metadata === null ? null : object(s.metadata, `${at}.metadata`);
    if (metadata && JSON.stringify(metadata).length > SIZE_CAPS.metadataBytes) {
      throw new Invalid(`${at}.metadata`, `must be at most ${SIZE_CAPS.metadataBytes} characters as JSON`);
    }
    if (metadata && jsonProblem(metadata, SIZE_CAPS.metadataDepth)) {
      throw new Invalid(`${at}.metadata`, `must be nested at most ${SIZE_CAPS.metadataDepth} levels deep`);
    }
    const messages = array(s.messages, `${at}.messages`, MAX.messages).map((raw, j) => {
      const mat = `${at}.messages[${j}]`;
      const m = object(raw, mat);
      return {
        role: oneOf(m.role, `${mat}.role`, MessageRole),
        content: text(m.content, `${mat}.content`, SIZE_CAPS.messageContent),
        createdAt: timestamp(m.createdAt, `${mat}.createdAt`),
      };
    });
    messageTotal += messages.length;
    if (messageTotal > MAX.messages) throw new Invalid(`${at}.messages`, `the document may hold at most ${MAX.messages} messages`);
    let draft: { sections: SectionDoc[] } | null = null;
    if (s.draft !== null) {
      if (conversationType !== ConversationType.JOURNALING) throw new Invalid(`${at}.draft`, 'must be null: only JOURNALING sessions have a draft');
      draft = { sections: sections(object(s.draft, `${at}.draft`).sections, `${at}.draft.sections`, SIZE_CAPS.templateSections) };
    }
    return {
      title: nullableText(s.title, `${at}.title`, SIZE_CAPS.sessionTitle),
      conversationType,
      archived: bool(s.archived, `${at}.archived`),
      metadata,
      createdAt: timestamp(s.createdAt, `${at}.createdAt`),
      updatedAt: timestamp(s.updatedAt, `${at}.updatedAt`),
      messages,
      draft,
      context: s.context === undefined || s.context === null ? null : sessionContext(s.context, `${at}.context`, goalCount),
    };
  });

  const journalEntries = array(doc.journalEntries, 'journalEntries', MAX.journalEntries).map((item, i) => {
    const at = `journalEntries[${i}]`;
    const e = object(item, at);
    const ref = e.chatSession;
    if (ref !== null && !(Number.isInteger(ref) && (ref as number) >= 0 && (ref as number) < chatSessions.length)) {
      throw new Invalid(`${at}.chatSession`, 'must be null or the index of a session in chatSessions');
    }
    return {
      title: text(e.title, `${at}.title`, SIZE_CAPS.journalTitle, 1),
      sections: sections(e.sections, `${at}.sections`, SIZE_CAPS.templateSections),
      createdAt: timestamp(e.createdAt, `${at}.createdAt`),
      chatSession: ref as number | null,
    };
  });

  const cards = doc.cards === undefined ? [] : array(doc.cards, 'cards', MAX.cards).map((item, i) => parseCard(item, `cards[${i}]`));
  const plans = doc.plans === undefined ? { weeks: [], days: [] } : parsePlans(doc.plans, goals.length);

  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: typeof doc.exportedAt === 'string' ? doc.exportedAt : '',
    preferences,
    templates,
    chatSessions,
    journalEntries,
    cards,
    goals,
    plans,
  };
}

export function int(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new Invalid(path, `must be an integer from ${min} to ${max}`);
  return value;
}

function parseCard(item: unknown, at: string): CardDoc {
  const c = object(item, at);
  const a = object(c.account, `${at}.account`);
  const last4 = text(c.last4, `${at}.last4`, 4);
  if (!/^\d{4}$/.test(last4)) throw new Invalid(`${at}.last4`, 'must be four digits');
  const limit = c.monthlyLimitMinor;
  if (limit !== null && (typeof limit !== 'string' || !/^[1-9]\d{0,15}$/.test(limit) || BigInt(limit) > 10n ** 15n)) {
    throw new Invalid(`${at}.monthlyLimitMinor`, 'must be null or a whole number of minor units from 1 to 10^15, as a string');
  }
  return {
    account: {
      number: text(a.number, `${at}.account.number`, 64, 1),
      name: text(a.name, `${at}.account.name`, 100, 1),
      currency: text(a.currency, `${at}.account.currency`, 3, 3),
    },
    kind: oneOf(c.kind, `${at}.kind`, CardKind),
    label: nullableText(c.label, `${at}.label`, 100),
    last4,
    expiryMonth: int(c.expiryMonth, `${at}.expiryMonth`, 1, 12),
    expiryYear: int(c.expiryYear, `${at}.expiryYear`, 1970, 9999),
    status: oneOf(c.status, `${at}.status`, CardStatus),
    monthlyLimitMinor: limit as string | null,
    createdAt: timestamp(c.createdAt, `${at}.createdAt`),
  };
}

function zone(value: unknown, path: string): string {
  const name = canonicalTimeZone(text(value, path, 64, 1));
  if (name === undefined) throw new Invalid(path, "must be an IANA time zone such as 'Europe/Paris'");
  return name;
}

export function day(value: unknown, path: string): string {
  const result = dayProblem(text(value, path, 10));
  if ('problem' in result) throw new Invalid(path, result.problem);
  return isoDay(result.day);
}

function parseGoal(item: unknown, at: string): GoalDoc {
  const g = object(item, at);
  const target = g.targetMinor;
  if (target !== null && (typeof target !== 'string' || !/^[1-9]\d{0,15}$/.test(target) || BigInt(target) > 10n ** 15n)) {
    throw new Invalid(`${at}.targetMinor`, 'must be null or a whole number of minor units from 1 to 10^15, as a string');
  }
  const currency = g.currency === null ? null : text(g.currency, `${at}.currency`, 3, 3);
  if (target !== null && currency === null) throw new Invalid(`${at}.currency`, 'is needed with targetMinor');
  const a = g.account === null ? null : object(g.account, `${at}.account`);
  return {
    title: text(g.title, `${at}.title`, 200, 1),
    description: nullableText(g.description, `${at}.description`, 2000),
    horizon: oneOf(g.horizon, `${at}.horizon`, GoalHorizon),
    status: oneOf(g.status, `${at}.status`, GoalStatus),
    priority: oneOf(g.priority, `${at}.priority`, Priority),
    targetDate: g.targetDate === null ? null : day(g.targetDate, `${at}.targetDate`),
    targetMinor: target as string | null,
    currency,
    account: a && {
      number: text(a.number, `${at}.account.number`, 64, 1),
      name: text(a.name, `${at}.account.name`, 100, 1),
      currency: text(a.currency, `${at}.account.currency`, 3, 3),
    },
    createdAt: timestamp(g.createdAt, `${at}.createdAt`),
  };
}

function sessionContext(value: unknown, at: string, goalCount: number): { goal: number | null; planDate: string | null } {
  const c = object(value, at);
  if (c.goal !== null && !(Number.isInteger(c.goal) && (c.goal as number) >= 0 && (c.goal as number) < goalCount)) {
    throw new Invalid(`${at}.goal`, 'must be null or the index of a goal in goals');
  }
  return { goal: c.goal as number | null, planDate: c.planDate === null ? null : day(c.planDate, `${at}.planDate`) };
}

function parsePlans(value: unknown, goalCount: number): PlansDoc {
  const p = object(value, 'plans');
  const weekStarts = new Set<string>();
  const weeks = array(p.weeks, 'plans.weeks', MAX.weeks).map((item, i) => {
    const at = `plans.weeks[${i}]`;
    const w = object(item, at);
    const weekStart = day(w.weekStart, `${at}.weekStart`);
    if (new Date(`${weekStart}T00:00:00Z`).getUTCDay() !== 1) throw new Invalid(`${at}.weekStart`, 'must be a Monday');
    if (weekStarts.has(weekStart)) throw new Invalid(`${at}.weekStart`, `${weekStart} appears twice`);
    weekStarts.add(weekStart);
    return {
      weekStart,
      summary: nullableText(w.summary, `${at}.summary`, 2000),
      focusAreas: array(w.focusAreas, `${at}.focusAreas`, 10).map((f, j) => text(f, `${at}.focusAreas[${j}]`, 200, 1)),
    };
  });
  const dates = new Set<string>();
  let itemTotal = 0;
  const days = array(p.days, 'plans.days', MAX.days).map((item, i) => {
    const at = `plans.days[${i}]`;
    const d = object(item, at);
    const date = day(d.date, `${at}.date`);
    if (dates.has(date)) throw new Invalid(`${at}.date`, `${date} appears twice`);
    dates.add(date);
    const items = array(d.items, `${at}.items`, MAX.items).map((raw, j): PlanItemDoc => {
      const iat = `${at}.items[${j}]`;
      const it = object(raw, iat);
      const time = it.time === null ? null : text(it.time, `${iat}.time`, 5);
      if (time !== null && !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw new Invalid(`${iat}.time`, "must be null or 'HH:MM'");
      if (it.goal !== null && !(Number.isInteger(it.goal) && (it.goal as number) >= 0 && (it.goal as number) < goalCount)) {
        throw new Invalid(`${iat}.goal`, 'must be null or the index of a goal in goals');
      }
      return {
        title: text(it.title, `${iat}.title`, 200, 1),
        notes: nullableText(it.notes, `${iat}.notes`, 2000),
        status: oneOf(it.status, `${iat}.status`, PlanItemStatus),
        priority: oneOf(it.priority, `${iat}.priority`, Priority),
        time,
        goal: it.goal as number | null,
      };
    });
    itemTotal += items.length;
    if (itemTotal > MAX.items) throw new Invalid(`${at}.items`, `the document may hold at most ${MAX.items} plan items`);
    return { date, summary: nullableText(d.summary, `${at}.summary`, 2000), items };
  });
  return { weeks, days };
}

/** The whole document checked before anything is written; BAD_USER_INPUT names the first bad path. */
export function parseExportDocument(input: unknown): ExportDocument {
  try {
    return parse(input);
  } catch (error) {
    if (error instanceof Invalid) throw badUserInput([{ field: error.path, message: error.message }]);
    throw error;
  }
}
