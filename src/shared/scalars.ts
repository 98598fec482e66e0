import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { DATE_RANGE_TEXT, inDateRange, JSON_LIMITS, jsonProblem } from './input-rules.js';
import { INT64_MAX, INT64_MIN } from './int64.js';

const DIGITS = /^-?\d+$/;

function badInput(message: string, node?: ValueNode): GraphQLError {
  return new GraphQLError(message, { nodes: node ? [node] : undefined, extensions: { code: 'BAD_USER_INPUT' } });
}

function toMinorUnits(value: unknown, node?: ValueNode): bigint {
  let parsed: bigint | undefined;
  if (typeof value === 'string' && DIGITS.test(value)) parsed = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) parsed = BigInt(value);
  else if (typeof value === 'bigint') parsed = value;
  if (parsed === undefined) {
    throw badInput(
      `MinorUnits must be a whole number of minor units as a string of digits, e.g. "1250" for 12.50 USD (got ${JSON.stringify(String(value))})`,
      node,
    );
  }
  if (parsed < INT64_MIN || parsed > INT64_MAX) {
    throw badInput('MinorUnits must fit in a signed 64-bit integer (at most 9223372036854775807)', node);
  }
  return parsed;
}

/** Exact integer money: a bigint inside, a string of digits on the wire. */
export const MinorUnitsScalar = new GraphQLScalarType<bigint, string>({
  name: 'MinorUnits',
  description:
    "Exact integer count of a currency's minor unit (cents for USD, yen for JPY). Serialized as a string of decimal digits with optional leading '-', e.g. \"125000\"; inputs accept such a string or an Int literal.",
  serialize(value) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && DIGITS.test(value)) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    throw new GraphQLError('MinorUnits cannot represent a non-integer value');
  },
  parseValue: (value) => toMinorUnits(value),
  parseLiteral(node) {
    if (node.kind === Kind.STRING) return toMinorUnits(node.value, node);
    // An Int literal may exceed 2^53, so read its digits rather than a number.
    if (node.kind === Kind.INT) return toMinorUnits(node.value, node);
    throw badInput('MinorUnits must be a string of digits or an Int literal, never a Float', node);
  },
});

function toDate(value: unknown, node?: ValueNode): Date {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) {
      if (!inDateRange(date)) throw badInput(`DateTime must be ${DATE_RANGE_TEXT}`, node);
      return date;
    }
  }
  throw badInput('DateTime must be an ISO-8601 date-time with a time zone, e.g. "2026-01-31T12:00:00Z"', node);
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: `ISO-8601, UTC; inputs ${DATE_RANGE_TEXT}`,
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string' || typeof value === 'number') return new Date(value).toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: (value) => toDate(value),
  parseLiteral(node) {
    return toDate(node.kind === Kind.STRING ? node.value : undefined, node);
  },
});

function checkedJson(value: unknown, node?: ValueNode): unknown {
  const problem = jsonProblem(value);
  if (problem) throw badInput(`JSON${problem.path ? ` at ${problem.path}` : ''} ${problem.message}`, node);
  return value;
}

/** graphql-scalars' JSON, with every input bounded and storable before a resolver sees it. */
export const JSONScalar = new GraphQLScalarType({
  ...GraphQLJSON.toConfig(),
  description: `${GraphQLJSON.description} Inputs: at most ${JSON_LIMITS.depth} levels deep and ${JSON_LIMITS.values} values; no NUL characters or lone surrogates in strings or keys.`,
  parseValue: (value) => checkedJson(value),
  parseLiteral: (node, variables) => checkedJson(GraphQLJSON.parseLiteral(node, variables), node),
});
