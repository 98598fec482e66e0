import { badUserInput } from './errors.js';

/**
 * What every input must be before it may reach the database, shared by the GraphQL input
 * guard, the JSON scalar, the DateTime scalar, statements and the import validator.
 */

// Lone surrogates cannot be encoded as UTF-8: jsonb refuses them and text columns silently store U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored as text (PostgreSQL refuses NUL), or undefined when it can. */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain a NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  return undefined;
}

// C0 and C1 controls and DEL (Cc): escape sequences, bells, cursor moves; never part of a name.
const CONTROL = /\p{Cc}/u;
// The same but tab, line feed and carriage return, which a text of several lines holds.
const CONTROL_IN_TEXT = /[^\P{Cc}\t\n\r]/u;
// What shows nothing: white space, controls, format characters and the other default-ignorable
// ones (zero-width spaces and joiners, BOM, soft hyphen, variation selectors, fillers), and the blank Braille cell.
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** Why a name (one line shown as a label: a jar, fee, account, merchant, title) is refused, or undefined. */
export function nameProblem(value: string): string | undefined {
  if (CONTROL.test(value)) return 'must not contain control characters (escape codes, tabs or line breaks)';
  if (value.replace(INVISIBLE, '') === '') return 'must hold at least one visible character';
  return undefined;
}

/** Why a free text (a description or note, where a line break makes sense) is refused, or undefined. */
export function freeTextProblem(value: string): string | undefined {
  return CONTROL_IN_TEXT.test(value) ? 'must not contain control characters other than tab and line breaks' : undefined;
}

/** BAD_USER_INPUT naming `field` when `value` is not a name (nameProblem). */
export function checkName(value: string, field: string): void {
  const problem = nameProblem(value);
  if (problem) throw badUserInput([{ field, message: problem }]);
}

/** BAD_USER_INPUT naming `field` when `value` is not a free text (freeTextProblem). */
export function checkFreeText(value: string | null | undefined, field: string): void {
  const problem = value ? freeTextProblem(value) : undefined;
  if (problem) throw badUserInput([{ field, message: problem }]);
}

/** Bounds for every JSON input: deep enough for any document this API writes, shallow enough for any recursion. */
export const JSON_LIMITS = { depth: 64, values: 200_000 } as const;

/**
 * Why a JSON input is refused (too deep, too large, or a string or key that is not storable
 * text), with the path of the first offending value; walked with an explicit stack, never recursion.
 */
export function jsonProblem(value: unknown, maxDepth: number = JSON_LIMITS.depth): { path: string; message: string } | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  let count = 0;
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (++count > JSON_LIMITS.values) return { path: item.path, message: `must hold at most ${JSON_LIMITS.values} values` };
    if (typeof item.value === 'string') {
      const problem = textProblem(item.value);
      if (problem) return { path: item.path, message: problem };
      continue;
    }
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return { path: item.path, message: `must be nested at most ${maxDepth} levels deep` };
    if (Array.isArray(item.value)) {
      for (let i = item.value.length - 1; i >= 0; i--) stack.push({ value: item.value[i], path: `${item.path}[${i}]`, depth });
      continue;
    }
    const entries = Object.entries(item.value as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const path = item.path ? `${item.path}.${key}` : key;
      const problem = textProblem(key);
      if (problem) return { path, message: `key ${problem}` };
      stack.push({ value: child, path, depth });
    }
  }
  return undefined;
}

/**
 * The instants this API accepts, in dates, months and imported timestamps: from the Unix
 * epoch up to the end of 9998, so the month after any accepted one still has a 4-digit year.
 */
export const DATE_RANGE = { from: new Date(Date.UTC(1970, 0, 1)), to: new Date(Date.UTC(9999, 0, 1)) } as const;
export const DATE_RANGE_TEXT = 'from 1970-01-01T00:00:00Z up to (not including) 9999-01-01T00:00:00Z';

export function inDateRange(date: Date): boolean {
  const t = date.getTime();
  return !Number.isNaN(t) && t >= DATE_RANGE.from.getTime() && t < DATE_RANGE.to.getTime();
}
