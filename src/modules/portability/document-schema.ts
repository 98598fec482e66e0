import type { AnySchemaObject, ErrorObject, SchemaObject } from 'ajv';
import { dayProblem } from '../../shared/calendar-input.js';
import { isCurrency } from '../../shared/currency.js';
import { DATE_RANGE_TEXT, inDateRange } from '../../shared/input-rules.js';
import { isoDay } from '../../shared/time-zone.js';

/*
 * The kit the document's slices declare their JSON Schemas with, and what turns ajv's first
 * error into a message naming the path (`chatSessions[2].messages[0].role`). A schema node's
 * `hint` is its message whatever fails there; the checks no schema can say (an index into
 * another list, a name given twice, a real calendar day) throw Invalid after the schema passed.
 */

/** A problem found after the schema passed: the path says where. */
export class Invalid extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** A string of at most `max` characters (UTF-16 units, as the API counts); `min` > 0: not blank either. */
export function text(max: number, min = 0): SchemaObject {
  return min > 0 ? { type: 'string', maxLength: max, minLength: min, pattern: '\\S' } : { type: 'string', maxLength: max };
}

export function list(items: SchemaObject, max: number, min = 0): SchemaObject {
  return { type: 'array', items, maxItems: max, minItems: min };
}

/** An object with these members, all required but `optional` ones; members not named are ignored. */
export function record(properties: Record<string, SchemaObject>, optional: readonly string[] = []): SchemaObject {
  return { type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)) };
}

export function oneOf(allowed: Record<string, string>): SchemaObject {
  return { type: 'string', enum: Object.values(allowed) };
}

export const bool: SchemaObject = { type: 'boolean' };

export function int(min: number, max: number): SchemaObject {
  return { type: 'integer', minimum: min, maximum: max, hint: `must be an integer from ${min} to ${max}` };
}

/** The schema, or null. */
export function nullable(schema: SchemaObject): SchemaObject {
  const out: SchemaObject = { ...schema, type: [schema.type as string, 'null'] };
  if (Array.isArray(schema.enum)) out.enum = [...(schema.enum as unknown[]), null];
  return out;
}

/** An index into another list of the document; the upper bound is checked by `index`. */
export function reference(what: string): SchemaObject {
  return { type: ['integer', 'null'], minimum: 0, hint: `must be null or the index of ${what}` };
}

/** Throws unless `value` (schema-checked) is null or below `count`. */
export function index(value: number | null, count: number, path: string, what: string): void {
  if (value !== null && value >= count) throw new Invalid(path, `must be null or the index of ${what}`);
}

export const TIMESTAMP: SchemaObject = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T', hint: 'must be an ISO-8601 date-time' };
export const DAY: SchemaObject = text(10);

/** A whole number of minor units up to 10^15, as a string; the bound is checked by `minorUnits`. */
export function minorSchema(hint: string, zero = false): SchemaObject {
  return { type: 'string', pattern: zero ? '^(0|[1-9]\\d{0,15})$' : '^[1-9]\\d{0,15}$', hint };
}

export function minorUnits(value: string | null, path: string, hint: string): void {
  if (value !== null && BigInt(value) > 10n ** 15n) throw new Invalid(path, hint);
}

/** A TIMESTAMP that passed the schema, as the canonical ISO form within the supported years. */
/** An ISO 4217 code as the API takes it (upper case): a schema's length check lets "XYZ" or " US" through. */
export function currencyCode(value: string, path: string): string {
  if (!isCurrency(value)) throw new Invalid(path, 'must be an ISO 4217 code such as "USD"');
  return value;
}

export function timestamp(value: string, path: string): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new Invalid(path, 'must be an ISO-8601 date-time');
  if (!inDateRange(at)) throw new Invalid(path, `must be ${DATE_RANGE_TEXT}`);
  return at.toISOString();
}

/** A DAY that passed the schema, as YYYY-MM-DD. */
export function day(value: string, path: string): string {
  const result = dayProblem(value);
  if ('problem' in result) throw new Invalid(path, result.problem);
  return isoDay(result.day);
}

/** Throws at the second name equal to an earlier one, ignoring case. */
export function distinct(names: readonly string[], path: (i: number) => string, twice: (name: string) => string): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name.toLowerCase())) throw new Invalid(path(i), twice(name));
    seen.add(name.toLowerCase());
  });
}

const TYPE_TEXT: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  boolean: 'true or false',
  integer: 'an integer',
  number: 'a number',
  null: 'null',
};

/** ajv's first error as the path it names and a message a person can act on. */
export function schemaProblem(error: ErrorObject, root: string): Invalid {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push((error.params as { missingProperty: string }).missingProperty);
  const path = segments.reduce((at, s) => (/^\d+$/.test(s) ? `${at}[${s}]` : at === '' ? s : `${at}.${s}`), '') || root;
  const schema = error.parentSchema ?? {};
  if (typeof schema.hint === 'string' && error.keyword !== 'required') return new Invalid(path, schema.hint);
  return new Invalid(path, messageOf(error, schema));
}

function messageOf(error: ErrorObject, schema: AnySchemaObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is missing';
    case 'type': {
      const types = ([] as string[]).concat(params.type as string | string[]);
      return `must be ${types.map((t) => TYPE_TEXT[t] ?? t).join(' or ')}`;
    }
    case 'enum':
      return `must be one of ${(schema.enum as unknown[]).filter((v) => v !== null).join(', ')}${(schema.enum as unknown[]).includes(null) ? ', or null' : ''}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'maxLength':
      return `must be at most ${params.limit as number} characters`;
    case 'minLength':
      return `must be at least ${params.limit as number} characters`;
    case 'pattern':
      return schema.pattern === '\\S' ? 'must not be blank' : `must match ${schema.pattern as string}`;
    case 'minItems':
    case 'maxItems':
      return `must have ${(schema.minItems as number | undefined) ?? 0} to ${schema.maxItems as number} items`;
    case 'minimum':
    case 'maximum':
      return `must be from ${(schema.minimum as number | undefined) ?? '-∞'} to ${(schema.maximum as number | undefined) ?? '∞'}`;
    default:
      return error.message ?? 'is not valid';
  }
}
