import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ValidationError } from 'class-validator';
import { ArgumentValidationError } from 'type-graphql';
import { DomainError, type FieldProblem } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** Codes whose message was written for the client: by us, by graphql-js or by Apollo. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'UNAVAILABLE',
]);

const GENERIC_MESSAGE = 'Internal server error';

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * The one place errors become client-facing. Domain errors and request errors keep
 * their message and code; anything else is logged in full and masked.
 */
export function createErrorFormatter(logger: Logger, exposeErrors: boolean): ErrorFormatter {
  return (formatted, error) => {
    const where = { locations: formatted.locations, path: formatted.path };
    const original = originalOf(error);

    if (original instanceof DomainError) {
      return { message: original.message, ...where, extensions: { ...original.extensions, code: original.code } };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = flattenValidation(original.extensions.validationErrors);
      const message = `Invalid input: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`;
      return { message, ...where, extensions: { code: 'BAD_USER_INPUT', fields } };
    }
    // A scalar's own BAD_USER_INPUT survives Apollo's re-wrapping as a validation error.
    const innerCode = original instanceof GraphQLError ? original.extensions?.code : undefined;
    const code = typeof innerCode === 'string' && CLIENT_CODES.has(innerCode) ? innerCode : formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      const extensions: Record<string, unknown> = { code };
      for (const key of ['fields', 'retryAfter']) {
        if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
      }
      if (code === 'BAD_USER_INPUT' && extensions.fields === undefined) {
        const fields = coercionFields(formatted.message);
        if (fields) extensions.fields = fields;
      }
      return { message: formatted.message, ...where, extensions };
    }

    logger.error({ err: original ?? error, path: formatted.path }, 'unexpected error in GraphQL operation');
    if (exposeErrors) {
      const stack = original instanceof Error ? original.stack : undefined;
      return { message: formatted.message, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR', stack } };
    }
    return { message: GENERIC_MESSAGE, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** The code a client receives for this error, worked out without logging: for metrics. */
export function clientCode(error: GraphQLError): string {
  const original = originalOf(error);
  if (original instanceof DomainError) return original.code;
  if (original instanceof ArgumentValidationError) return 'BAD_USER_INPUT';
  const inner = original instanceof GraphQLError ? original.extensions?.code : undefined;
  const code = typeof inner === 'string' && CLIENT_CODES.has(inner) ? inner : error.extensions?.code;
  return typeof code === 'string' && CLIENT_CODES.has(code) ? code : 'INTERNAL_SERVER_ERROR';
}

function originalOf(error: unknown): unknown {
  let current = error;
  // Resolver errors and Apollo's validation wrapper both keep the real cause in originalError.
  while (current instanceof GraphQLError && current.originalError && !(current instanceof ArgumentValidationError)) {
    current = current.originalError;
  }
  return current;
}

const COERCION = /^Variable "\$(\w+)" got invalid value .*? at "([^"]+)"; (.*)$/s;
/** A scalar variable's own value was refused: graphql-js names no path, the field is the variable. */
const COERCION_AT_TOP = /^Variable "\$(\w+)" got invalid value .*?; (.*)$/s;

/** graphql-js variable coercion errors name the path only in their message: lift it into `fields`. */
function coercionFields(message: string): FieldProblem[] | undefined {
  const match = COERCION.exec(message);
  if (!match) {
    const top = COERCION_AT_TOP.exec(message);
    return top ? [{ field: top[1]!, message: top[2]! }] : undefined;
  }
  const [, variable, path, problem] = match as unknown as [string, string, string, string];
  const field = path.startsWith(`${variable}.`) ? path.slice(variable.length + 1) : path;
  return [{ field, message: problem }];
}

function flattenValidation(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    // Array items read as sections[2].name, the way services name them too.
    const field = !prefix ? e.property : /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children?.length) out.push(...flattenValidation(e.children, field));
  }
  return out;
}
