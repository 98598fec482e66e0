/**
 * What a log line may copy. Strings from anywhere (inputs, error messages, GraphQL paths,
 * operation names) are cut to LOG_STRING_MAX_CHARS with a "...(N more)" marker, so a 1 MB
 * id costs a log line 200 characters, not 4 MB. Database errors are logged as their
 * SQLSTATE, constraint, table and statement with every literal replaced by `?`: knex
 * inlines the bound values into the message and the driver's `detail` repeats them.
 */
export const LOG_STRING_MAX_CHARS = 200;
/** A statement with its literals masked holds no input, only its own length: allow a longer one. */
export const LOG_STATEMENT_MAX_CHARS = 2_000;
const STACK_FRAMES_MAX = 20;
const STACK_FRAME_MAX_CHARS = 300;
const ITEMS_MAX = 20;
const KEYS_MAX = 40;
const DEPTH_MAX = 5;
const CAUSES_MAX = 3;

export function capString(value: string, max = LOG_STRING_MAX_CHARS): string {
  return value.length <= max ? value : `${value.slice(0, max)}...(${value.length - max} more)`;
}

/** A copy of a log line's fields with every string capped and collections bounded; `err` is left to serializeError. */
export function capFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = key === 'err' ? value : capValue(value, 0);
  return out;
}

export function capValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return capString(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value);
  if (value instanceof Date) return value;
  if (depth >= DEPTH_MAX) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, ITEMS_MAX).map((v) => capValue(v, depth + 1));
    if (value.length > ITEMS_MAX) items.push(`...(${value.length - ITEMS_MAX} more items)`);
    return items;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return capValue(toJSON.call(value), depth + 1);
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, KEYS_MAX)) out[capString(k, 100)] = capValue(v, depth + 1);
  if (entries.length > KEYS_MAX) out['...'] = `(${entries.length - KEYS_MAX} more keys)`;
  return out;
}

/** PostgreSQL's error fields that name things, never values (detail, hint, where and internalQuery may hold values). */
const DB_NAME_FIELDS = ['constraint', 'table', 'column', 'schema', 'dataType', 'routine'] as const;

/** Fields some drivers and libraries attach that repeat the message, the query or its values. */
const NEVER_COPIED = new Set([
  'message',
  'stack',
  'sql',
  'query',
  'bindings',
  'params',
  'parameters',
  'detail',
  'hint',
  'where',
  'internalQuery',
  'source',
  'nodes',
]);

/** pino's `err` serializer: bounded, and for database errors no values. */
export function serializeError(error: unknown, causes = 0): unknown {
  if (!(error instanceof Error)) return capValue(error);
  const type = error.name || error.constructor?.name || 'Error';
  const fields = error as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type };
  let message: string;
  if (isDatabaseError(fields)) {
    out.sqlState = fields.code;
    for (const key of DB_NAME_FIELDS) if (typeof fields[key] === 'string') out[key] = capString(fields[key]);
    const known = DB_NAME_FIELDS.map((k) => fields[k]).filter((v): v is string => typeof v === 'string');
    const { statement, reason } = splitDatabaseMessage(error.message, known);
    if (statement) out.statement = capString(statement, LOG_STATEMENT_MAX_CHARS);
    message = capString(reason);
  } else {
    message = capString(error.message);
    // Own scalar fields (code, status, errno...); objects like a GraphQLError's source and nodes carry the whole query.
    for (const [key, value] of Object.entries(fields)) {
      if (key in out || NEVER_COPIED.has(key)) continue;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = capValue(value);
      else if (key === 'path' || key === 'extensions') out[key] = capValue(value, 1);
    }
  }
  out.message = message;
  out.stack = [`${type}: ${message}`, ...frames(error.stack)].join('\n');
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) out.cause = causes < CAUSES_MAX ? serializeError(cause, causes + 1) : '[more causes]';
  return out;
}

/** A driver error from PostgreSQL (pg's own, or MikroORM's conversion of it): a five-character SQLSTATE and a severity. */
function isDatabaseError(fields: Record<string, unknown>): boolean {
  return typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code) && typeof fields.severity === 'string';
}

/** Stack frames only: the first lines repeat the message, which for a database error holds the values. */
function frames(stack: string | undefined): string[] {
  if (!stack) return [];
  const lines = stack.split('\n').filter((l) => /^\s+at /.test(l));
  const kept = lines.slice(0, STACK_FRAMES_MAX).map((l) => capString(l, STACK_FRAME_MAX_CHARS));
  if (lines.length > STACK_FRAMES_MAX) kept.push(`    ...(${lines.length - STACK_FRAMES_MAX} more frames)`);
  return kept;
}

const WORD_CHAR = /[A-Za-z0-9_$]/;
const SQL_START =
  /^\s*(select|insert|update|delete|with|begin|commit|rollback|savepoint|release|set|lock|create|alter|drop|truncate|values|copy|notify|listen)\b/i;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * knex's message is "<SQL with the values inlined> - <PostgreSQL's message>", and MikroORM
 * appends "\n - detail: ..." and "\n - hint: ...". Returns the statement with every literal
 * masked and PostgreSQL's first line, where a quoted word survives only if it names
 * something (a field of the error or a word of the statement) and nothing after ": " does.
 */
export function splitDatabaseMessage(message: string, names: string[]): { statement?: string; reason: string } {
  // Literals are masked first: from here on no value can fake a separator.
  let masked = maskSqlLiterals(message);
  const appended = outsideQuotes(masked, /\n - (detail|hint): /g)[0];
  if (appended !== undefined) masked = masked.slice(0, appended);
  let statement: string | undefined;
  let rest = masked;
  // The last " - " outside quotes: a statement may subtract, PostgreSQL's one-line message does not.
  // Without one it is PostgreSQL's message alone (pg's own errors carry no statement).
  const separator = outsideQuotes(masked, / - /g).at(-1);
  if (SQL_START.test(masked) && separator !== undefined) {
    statement = masked
      .slice(0, separator)
      .replace(/\s+/g, ' ')
      .trim()
      .replace(QUOTED, (whole, inner: string) => (IDENTIFIER.test(inner) ? whole : '"?"'));
    rest = masked.slice(separator + 3);
  }
  const known = new Set(names);
  if (statement) for (const word of statement.match(/[A-Za-z_][A-Za-z0-9_$]*/g) ?? []) known.add(word);
  let reason = rest.split('\n')[0] ?? '';
  const colon = reason.indexOf(': ');
  if (colon >= 0) reason = `${reason.slice(0, colon)}: ?`;
  reason = reason.replace(QUOTED, (whole, inner: string) => (IDENTIFIER.test(inner) && known.has(inner) ? whole : '"?"'));
  return { statement, reason };
}

const QUOTED = /"((?:[^"]|"")*)"/g;

/** Where `pattern` matches outside double quotes. */
function outsideQuotes(text: string, pattern: RegExp): number[] {
  const found: number[] = [];
  let inside = false;
  let quoteSeen = 0;
  for (const match of text.matchAll(pattern)) {
    for (; quoteSeen < match.index; quoteSeen++) if (text[quoteSeen] === '"') inside = !inside;
    if (!inside) found.push(match.index);
  }
  return found;
}

/**
 * Replaces every SQL literal with `?`: '...' and E'...' strings (a backslash escapes the
 * next character, which can only over-mask), numbers, true and false. Double-quoted
 * identifiers and $n placeholders stay. An unterminated string masks everything after it.
 */
export function maskSqlLiterals(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  const isWord = (c: string | undefined) => c !== undefined && WORD_CHAR.test(c);
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'" && !isWord(sql[i - 1]))) {
      i += c === "'" ? 1 : 2;
      while (i < n) {
        if (sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
      out += '?';
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
      // Unterminated: mask the rest rather than copy it.
      out += j < n ? sql.slice(i, j + 1) : '"?';
      i = j + 1;
      continue;
    }
    if (c === '$' && /\d/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && /\d/.test(sql[j]!)) j++;
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if (/\d/.test(c) && !isWord(sql[i - 1])) {
      const number = /^\d+(\.\d+)?(e[+-]?\d+)?/i.exec(sql.slice(i, i + 64));
      i += number ? number[0].length : 1;
      while (i < n && /[0-9]/.test(sql[i]!)) i++;
      out += '?';
      continue;
    }
    if (isWord(c) && !isWord(sql[i - 1])) {
      let j = i;
      while (j < n && isWord(sql[j])) j++;
      const word = sql.slice(i, j);
      out += /^(true|false)$/i.test(word) ? '?' : word;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
