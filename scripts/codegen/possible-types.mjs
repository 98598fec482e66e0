// A graphql-codegen plugin: Apollo Client's possibleTypes (each interface and union -> its object types), in the
// shape @graphql-codegen/fragment-matcher writes for a .ts file, which this project does not install.
import { isInterfaceType, isUnionType } from 'graphql';

/** @param {import('graphql').GraphQLSchema} schema */
export function plugin(schema) {
  /** @type {Record<string, string[]>} */
  const possibleTypes = {};
  for (const type of Object.values(schema.getTypeMap()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (type.name.startsWith('__')) continue;
    if (isUnionType(type) || isInterfaceType(type)) {
      possibleTypes[type.name] = schema
        .getPossibleTypes(type)
        .map((t) => t.name)
        .sort();
    }
  }
  return [
    'export interface PossibleTypesResultData {',
    '  possibleTypes: { [key: string]: string[] };',
    '}',
    `const result: PossibleTypesResultData = ${JSON.stringify({ possibleTypes }, null, 2)};`,
    'export default result;',
    '',
  ].join('\n');
}
