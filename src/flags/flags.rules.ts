import { createHash } from 'node:crypto';
import { FLAG_CATALOG, FLAG_KEYS, type FlagKey } from './flags.catalog.js';

/** One targeting rule: it matches when every condition it names holds; the first match wins. */
export interface FlagRule {
  users?: string[];
  roles?: string[];
  /** 0 to 100: the share of users (by a stable hash of user and flag) the rule covers. */
  percentage?: number;
  enabled: boolean;
}

export interface FlagSetting {
  enabled?: boolean;
  rules?: FlagRule[];
}

/** The flags file, parsed and checked: settings by key. */
export type FlagDocument = Partial<Record<FlagKey, FlagSetting>>;

export interface FlagSubject {
  userId: string | null;
  role: string | null;
}

/** OpenFeature's reasons, as FeatureFlag.reason reports them. */
export type FlagReason = 'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'DISABLED' | 'ERROR';

export interface FlagValue {
  enabled: boolean;
  variant: 'on' | 'off';
  reason: FlagReason;
}

const value = (enabled: boolean, reason: FlagReason): FlagValue => ({ enabled, variant: enabled ? 'on' : 'off', reason });

/** Where a user falls in 0..99 for a flag: stable per user and flag, independent across flags. */
export function bucketOf(key: string, userId: string): number {
  return createHash('sha256').update(`${key}\0${userId}`).digest().readUInt32BE(0) % 100;
}

/**
 * A flag's value for a subject: an environment override wins (STATIC), then the first matching
 * rule (TARGETING_MATCH, or SPLIT when it is a percentage), then the file's value (STATIC),
 * then the catalog's default (DEFAULT).
 */
export function evaluateFlag(key: FlagKey, doc: FlagDocument, overrides: Partial<Record<FlagKey, boolean>>, subject: FlagSubject): FlagValue {
  const override = overrides[key];
  if (override !== undefined) return value(override, override ? 'STATIC' : 'DISABLED');
  const setting = doc[key];
  for (const rule of setting?.rules ?? []) {
    if (rule.users && !(subject.userId !== null && rule.users.includes(subject.userId))) continue;
    if (rule.roles && !(subject.role !== null && rule.roles.includes(subject.role))) continue;
    if (rule.percentage !== undefined && !(subject.userId !== null && bucketOf(key, subject.userId) < rule.percentage)) continue;
    return value(rule.enabled, rule.percentage !== undefined ? 'SPLIT' : 'TARGETING_MATCH');
  }
  if (setting?.enabled !== undefined) return value(setting.enabled, setting.enabled ? 'STATIC' : 'DISABLED');
  return value(FLAG_CATALOG.find((f) => f.key === key)!.default, 'DEFAULT');
}

/** Parses the flags file; throws an Error naming each problem, so a bad edit keeps the last good file. */
export function parseFlagDocument(text: string): FlagDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`the flags file is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const problems: string[] = [];
  const flags = (raw as { flags?: unknown } | null)?.flags;
  if (typeof flags !== 'object' || flags === null || Array.isArray(flags))
    throw new Error('the flags file must be an object with "flags": { "<key>": { ... } }');
  const doc: FlagDocument = {};
  for (const [key, setting] of Object.entries(flags)) {
    if (!(FLAG_KEYS as readonly string[]).includes(key)) {
      problems.push(`unknown flag "${key}" (known: ${FLAG_KEYS.join(', ')})`);
      continue;
    }
    const s = setting as { enabled?: unknown; rules?: unknown } | null;
    if (typeof s !== 'object' || s === null) {
      problems.push(`${key}: must be an object`);
      continue;
    }
    if (s.enabled !== undefined && typeof s.enabled !== 'boolean') problems.push(`${key}.enabled: must be true or false`);
    if (s.rules !== undefined && !Array.isArray(s.rules)) problems.push(`${key}.rules: must be a list`);
    const rules = Array.isArray(s.rules) ? s.rules.map((r, i) => ruleOf(r, `${key}.rules[${i}]`, problems)) : undefined;
    doc[key as FlagKey] = { enabled: s.enabled as boolean | undefined, rules };
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return doc;
}

function ruleOf(raw: unknown, path: string, problems: string[]): FlagRule {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const strings = (name: string) => {
    const v = r[name];
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    problems.push(`${path}.${name}: must be a list of strings`);
    return undefined;
  };
  const percentage = r.percentage;
  if (percentage !== undefined && !(typeof percentage === 'number' && Number.isInteger(percentage) && percentage >= 0 && percentage <= 100)) {
    problems.push(`${path}.percentage: must be a whole number from 0 to 100`);
  }
  if (typeof r.enabled !== 'boolean') problems.push(`${path}.enabled: must be true or false`);
  for (const name of Object.keys(r)) if (!['users', 'roles', 'percentage', 'enabled'].includes(name)) problems.push(`${path}.${name}: unknown field`);
  return { users: strings('users'), roles: strings('roles'), percentage: percentage as number | undefined, enabled: r.enabled === true };
}
