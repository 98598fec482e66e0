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

/**
 * Rows as one array per column, `unnest(?::type[], …)` with each row's place as the last column
 * (`with ordinality`): a statement that reads rows from it has the same text whatever their count.
 */
export function unnestRows<R>(rows: readonly R[], columns: ReadonlyArray<readonly [type: string, value: (row: R) => unknown]>): Stmt {
  return {
    sql: `unnest(${columns.map(([type]) => `?::${type}[]`).join(', ')}) with ordinality`,
    params: columns.map(([, value]) => rows.map(value)),
  };
}

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

/** Past this many distinct texts, statements go unnamed: a text built per row count must not grow every connection's cache of prepared statements without end. */
const NAMED_MAX = 256;
const NAMES = new Map<string, string>();

/**
 * The statement as the driver takes it: `$n` placeholders, its values bound, and a name of its
 * own while the process has met few texts. A named statement is parsed once per connection and
 * planned there by PostgreSQL's plan cache, instead of parsed and planned on every run: the money
 * path's statements take their rows as arrays (`unnest`), so their texts do not depend on how many
 * rows a batch has, and a handful of names cover them.
 */
export function prepared(s: Stmt): { name?: string; text: string; values: unknown[] } {
  const text = positional(s.sql);
  let name = NAMES.get(text);
  if (name === undefined && NAMES.size < NAMED_MAX) NAMES.set(text, (name = `gw${NAMES.size}`));
  return name === undefined ? { text, values: s.params } : { name, text, values: s.params };
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
  const own = splitWith(last.sql);
  const rest = own.parts === '' ? ` ${own.query}` : `, ${own.parts} ${own.query}`;
  return {
    sql: `with ${head.map((w, i) => `"w${i}" as (${w.sql})`).join(', ')}${rest}`,
    params: writes.flatMap((w) => w.params),
  };
}

/** A timestamp column as ISO text: the driver hands a Date, a row carried as JSON (row_to_json) a string. */
export function isoOf(value: unknown): string {
  return (value instanceof Date ? value : new Date(value as string)).toISOString();
}

/** The SQLSTATE `gateway_expect` raises: what a checked statement read has changed, and nothing of it was written. */
export const STALE_READ = 'GW409';

/**
 * Writes as one statement that stands only if `checks` hold (each a boolean expression over the
 * parts): the parts as CTEs in order (`materialized` for a read that others share, such as a
 * lock), then `last`, whose rows come back as the JSON array `rows` of the statement's one row.
 * A failed check raises STALE_READ (`gateway_expect`), which ends the statement and so undoes
 * every write of it. Data-modifying parts run whether or not anything reads them.
 */
export function checkedStatement(
  parts: ReadonlyArray<{ name: string; stmt: Stmt; materialized?: boolean }>,
  checks: readonly Stmt[],
  what: string,
  last?: Stmt,
): Stmt {
  const items: string[] = [];
  const params: unknown[] = [];
  for (const p of parts) {
    items.push(`"${p.name}" as ${p.materialized ? 'materialized ' : ''}(${p.stmt.sql})`);
    params.push(...p.stmt.params);
  }
  let rows = `'[]'::json`;
  if (last) {
    const { parts: own, query } = splitWith(last.sql);
    if (own !== '') items.push(own);
    items.push(`"last" as (${query})`);
    params.push(...last.params);
    rows = `coalesce((select json_agg("r") from "last" "r"), '[]'::json)`;
  }
  const check = checks.length === 0 ? 'true' : checks.map((c) => `(${c.sql})`).join(' and ');
  params.push(...checks.flatMap((c) => c.params), what);
  const head = items.length === 0 ? '' : `with ${items.join(', ')} `;
  return { sql: `${head}select "gateway_expect"(${check}, ?) as "ok", ${rows} as "rows"`, params };
}

/** A statement's own WITH list (without the keyword) and its final query, so another statement can take both in. */
export function splitWith(sql: string): { parts: string; query: string } {
  const start = /^\s*with\s+/i.exec(sql);
  if (!start) return { parts: '', query: sql };
  let depth = 0;
  for (let i = start[0].length; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end === -1) break;
      i = end;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      // A part ended: a comma says another follows; anything else starts the final query.
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j]!)) j++;
      if (sql[j] !== ',') return { parts: sql.slice(start[0].length, i + 1), query: sql.slice(j) };
    }
  }
  throw new Error('splitWith: no final query after the WITH list');
}
