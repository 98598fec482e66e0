import {
  defaultFieldResolver,
  GraphQLID,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { badUserInput, DomainError, type FieldProblem } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import { textProblem } from '../shared/input-rules.js';
import { authChecker } from './auth-checker.js';
import type { GraphQLContext } from '../shared/request-context.js';

/**
 * The one gate every argument passes, over HTTP and WebSocket alike, before a resolver (and
 * so the database) sees it: a string that PostgreSQL cannot store as text is BAD_USER_INPUT
 * naming the field; an ID that is not a UUID names nothing this API gave out, so NOT_FOUND.
 * Both are answered after the field's own auth check, as type-graphql's validation is.
 * JSON values are checked by their scalar (src/shared/scalars.ts) while being coerced.
 */
export function guardInputs(schema: GraphQLSchema): void {
  const roles = rootFieldRoles(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const isSubscription = type === schema.getSubscriptionType();
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const fieldRoles = roles.get(`${type.name}.${field.name}`);
      const guard = (root: unknown, args: Record<string, unknown>, context: GraphQLContext, info: GraphQLResolveInfo) => {
        const problem = argumentProblem(field.args, args);
        if (!problem) return;
        if (fieldRoles) authChecker({ root, args, context, info }, fieldRoles);
        throw problem;
      };
      if (isSubscription) {
        const subscribe = field.subscribe;
        if (subscribe) field.subscribe = guarded(subscribe, guard);
      } else {
        field.resolve = guarded(field.resolve ?? defaultFieldResolver, guard);
      }
    }
  }
}

type Guard = (root: unknown, args: Record<string, unknown>, context: GraphQLContext, info: GraphQLResolveInfo) => void;

function guarded(resolve: GraphQLFieldResolver<unknown, GraphQLContext>, guard: Guard): GraphQLFieldResolver<unknown, GraphQLContext> {
  return (root, args, context, info) => {
    guard(root, args, context, info);
    return resolve(root, args, context, info);
  };
}

/** `@Authorized` roles of the root fields (an empty list: any signed-in caller), as type-graphql built them. */
function rootFieldRoles(schema: GraphQLSchema): Map<string, string[]> {
  const storage = getMetadataStorage();
  const out = new Map<string, string[]>();
  const groups = [
    [schema.getQueryType(), storage.queries],
    [schema.getMutationType(), storage.mutations],
    [schema.getSubscriptionType(), storage.subscriptions],
  ] as const;
  for (const [type, handlers] of groups) {
    if (!type) continue;
    for (const handler of handlers) {
      if (handler.roles) out.set(`${type.name}.${handler.schemaName}`, handler.roles as string[]);
    }
  }
  return out;
}

/**
 * The first refusal the arguments earn, walked with an explicit stack. Field names follow
 * the validation errors: an input object's fields without the argument's name.
 */
export function argumentProblem(args: readonly GraphQLArgument[], values: Record<string, unknown>): DomainError | undefined {
  const text: FieldProblem[] = [];
  let badId: string | undefined;
  const stack: Array<{ type: GraphQLInputType; value: unknown; path: string }> = args.map((arg) => ({
    type: arg.type,
    value: values[arg.name],
    path: isInputObjectType(getNamedType(arg.type)) && !isListType(nullable(arg.type)) ? '' : arg.name,
  }));
  while (stack.length > 0) {
    const { type, value, path } = stack.pop()!;
    if (value === null || value === undefined) continue;
    const inner = nullable(type);
    if (isListType(inner)) {
      if (Array.isArray(value)) value.forEach((item, i) => stack.push({ type: inner.ofType, value: item, path: `${path}[${i}]` }));
      continue;
    }
    if (isInputObjectType(inner)) {
      for (const field of Object.values(inner.getFields())) {
        stack.push({ type: field.type, value: (value as Record<string, unknown>)[field.name], path: path ? `${path}.${field.name}` : field.name });
      }
      continue;
    }
    if (typeof value !== 'string') continue;
    if (inner === GraphQLID) {
      if (!isUuid(value)) badId ??= path;
      continue;
    }
    const problem = textProblem(value);
    if (problem) text.push({ field: path, message: problem });
  }
  if (text.length > 0) return badUserInput(text.reverse());
  if (badId !== undefined) return new DomainError('NOT_FOUND', `Not found: ${badId} is not an id this API gave out`);
  return undefined;
}

function nullable(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) ? type.ofType : type;
}
