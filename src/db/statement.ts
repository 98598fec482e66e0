/*
 * A statement past the ORM: its text with `?` placeholders and its values, which travel as
 * bound parameters ($1, $2, …) and never inside the text.
 */

export interface Stmt {
  sql: string;
  params: unknown[];
}

export interface PgResult {
  rows: Array<Record<string, unknown>>;
}

/** A statement with `?` placeholders. */
export const stmt = (sql: string, params: unknown[]): Stmt => ({ sql, params });

const MARKS = Array.from({ length: 20 }, (_, n) => Array.from({ length: n }, () => '?').join(', '));
/** `?, ?, ?` for n values. */
export const marks = (n: number): string => MARKS[n] ?? Array.from({ length: n }, () => '?').join(', ');

const POSITIONAL = new Map<string, string>();
/** Texts differ by row count only; past this many the cache starts over rather than grow. */
const POSITIONAL_CACHE = 2_000;

/** The text with each `?` outside quotes and comments numbered `$1`, `$2`, … as the driver binds them. */
export function positional(sql: string): string {
  const cached = POSITIONAL.get(sql);
  if (cached !== undefined) return cached;
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else {
      out += c === '?' ? `$${++n}` : c;
    }
  }
  if (POSITIONAL.size >= POSITIONAL_CACHE) POSITIONAL.clear();
  POSITIONAL.set(sql, out);
  return out;
}

/**
 * Several writes as one statement: all but the last as data-modifying CTEs, the last as the
 * statement itself (its RETURNING rows are the result). One round trip; like any CTEs, none sees
 * another's changes, so a write that must read an earlier one's result cannot be among them.
 */
export function oneStatement(writes: readonly Stmt[]): Stmt {
  if (writes.length === 1) return writes[0]!;
  if (writes.length === 0) throw new Error('oneStatement: no statements');
  const head = writes.slice(0, -1);
  const last = writes[writes.length - 1]!;
  if (head.some((w) => /^\s*with\b/i.test(w.sql))) throw new Error('oneStatement: a statement with its own WITH cannot be nested');
  // The last one's own WITH (combined posting hooks) joins the outer list: WITH cannot nest as a part.
  const ownWith = /^\s*with\s+/i;
  const rest = ownWith.test(last.sql) ? last.sql.replace(ownWith, ', ') : ` ${last.sql}`;
  return {
    sql: `with ${head.map((w, i) => `"w${i}" as (${w.sql})`).join(', ')}${rest}`,
    params: writes.flatMap((w) => w.params),
  };
}

/** A timestamp column as ISO text: the driver hands a Date, a row carried as JSON (row_to_json) a string. */
export function isoOf(value: unknown): string {
  return (value instanceof Date ? value : new Date(value as string)).toISOString();
}
