import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config/config.js';
import { costError } from './cost.js';

type Limits = Config['graphql'];

/**
 * The limits every operation passes, over HTTP (Apollo's validationRules and parseOptions)
 * and over WebSocket (validateOperation). Tokens are capped by graphql-js's own parser.
 * Cost needs the request's variables, which a validation rule never sees: costPlugin
 * (HTTP) and the WebSocket's onSubscribe check it once they are known.
 */
export function limitRules(limits: Limits): ValidationRule[] {
  // Armor throws from inside validate() by default; report instead, so the client gets a validation error.
  const report = (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
  const common = { propagateOnRejection: false, onReject: [report], exposeLimits: true };
  return [
    // A fragment spread is not a level of nesting: count the fields it brings in where they land.
    maxDepthRule({ ...common, n: limits.maxDepth, flattenFragments: true }),
    maxAliasesRule({ ...common, n: limits.maxAliases }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives }),
  ];
}

/** GRAPHQL_MAX_COST over HTTP: after validation, before execution, with the request's variables. */
export function costPlugin(limits: Limits): ApolloServerPlugin {
  // Apollo's document cache hands back one DocumentNode per query text: an operation without variables always costs the same.
  const fixed = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operation }) {
          const cacheable = operation !== undefined && !operation.variableDefinitions?.length;
          const name = request.operationName ?? '';
          let error = cacheable ? fixed.get(document)?.get(name) : undefined;
          if (error === undefined) {
            error = costError(schema, document, request.operationName, request.variables, limits.maxCost);
            if (cacheable) {
              let byName = fixed.get(document);
              if (!byName) fixed.set(document, (byName = new Map()));
              byName.set(name, error);
            }
          }
          // 400 like the validation rules' refusals.
          if (error) throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}

export function parseOptions(limits: Limits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

/** "Did you mean ...?" names fields a client was not told about. */
export function stripSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

/**
 * Parses and validates a WebSocket operation with the HTTP rules: a document, or the
 * errors to answer with (codes as Apollo gives them over HTTP).
 */
export function validateOperation(schema: GraphQLSchema, query: unknown, limits: Limits, rules: ValidationRule[]): DocumentNode | GraphQLError[] {
  if (typeof query !== 'string' || query.length === 0) {
    return [new GraphQLError('The operation must contain a non-empty `query`', { extensions: { code: 'BAD_REQUEST' } })];
  }
  let document: DocumentNode;
  try {
    document = parse(query, parseOptions(limits));
  } catch (error) {
    const message = error instanceof GraphQLError ? error.message : 'Syntax Error';
    return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
  }
  // Apollo adds the introspection rule itself from its `introspection` option.
  const introspection = limits.introspection ? [] : [NoSchemaIntrospectionCustomRule];
  const errors = validate(schema, document, [...specifiedRules, ...rules, ...introspection]);
  if (errors.length === 0) return document;
  return errors.map(
    (e) =>
      new GraphQLError(limits.hideSuggestions ? stripSuggestions(e.message) : e.message, {
        nodes: e.nodes,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
  );
}
