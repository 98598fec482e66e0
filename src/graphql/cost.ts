import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../shared/pagination.js';

/** graphql-armor's formula, kept: a leaf costs 1, an object 2 plus 1.5 × its selections, all × its page size. */
const SCALAR_COST = 1;
const OBJECT_COST = 2;
const DEPTH_FACTOR = 1.5;

/**
 * The estimated cost of the operation this request runs, with the page sizes it will
 * really ask for: `first`/`last` from literals, from the request's variables (or their
 * declared defaults), or from the argument's schema default. A connection given neither
 * is costed at the services' fallback page (DEFAULT_PAGE_SIZE). Fragments, named or
 * inline, count where they land. Runs after validation (no unknown fields, no fragment cycles).
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: unknown): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0; // graphql-js refuses it before anything runs
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const inputs = variables && typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {};
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], inputs, { maxErrors: 1 });
  // Variables that do not coerce stop graphql-js before any resolver runs; cost the defaults all the same.
  const values = coerced.coerced ?? {};
  // A fragment's cost depends only on its own type condition and these variables: compute it once.
  const fragmentCosts = new Map<string, number>();

  const pageSize = (field: GraphQLField<unknown, unknown>, node: FieldNode): number => {
    if (!field.args.some((a) => a.name === 'first' || a.name === 'last')) return 1;
    let args: Record<string, unknown> = {};
    try {
      args = getArgumentValues(field, node, values);
    } catch {
      // The field fails before resolving; its defaults stand in.
    }
    const sizes = [args.first, args.last].filter((v): v is number => typeof v === 'number');
    return sizes.length === 0 ? DEFAULT_PAGE_SIZE : Math.max(1, ...sizes);
  };

  const fieldCost = (node: FieldNode, parent: GraphQLNamedType | undefined): number => {
    if (!node.selectionSet) return SCALAR_COST;
    // Introspection is governed by GRAPHQL_INTROSPECTION and the depth limit, as armor did.
    if (node.name.value === '__schema') return 0;
    const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[node.name.value] : undefined;
    const size = field ? pageSize(field, node) : 1;
    return size * (OBJECT_COST + DEPTH_FACTOR * selectionsCost(node.selectionSet, field ? getNamedType(field.type) : undefined));
  };

  const fragmentCost = (name: string): number => {
    const known = fragmentCosts.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    fragmentCosts.set(name, 0); // a cycle (refused by validation) cannot recurse forever
    const cost = fragment ? selectionsCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)) : 0;
    fragmentCosts.set(name, cost);
    return cost;
  };

  const selectionsCost = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) cost += fieldCost(selection, parent);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) cost += fragmentCost(selection.name.value);
      else cost += selectionsCost(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent);
    }
    return cost;
  };

  return selectionsCost(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
}

/** The refusal for an operation over GRAPHQL_MAX_COST, or null. The same message and code as the other limits. */
export function costError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: unknown,
  maxCost: number,
): GraphQLError | null {
  const cost = operationCost(schema, document, operationName, variables);
  if (cost <= maxCost) return null;
  const found = Number.isFinite(cost) ? Math.ceil(cost).toLocaleString('en-US', { useGrouping: false }) : 'Infinity';
  return new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${found}.`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}
