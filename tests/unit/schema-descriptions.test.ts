import 'reflect-metadata';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../src/graphql/schema.js';

/** Every element a frontend developer reads in the IDE's Docs panel, named as in SDL, that has no description. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const need = (name: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(name);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    need(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        need(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) need(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) need(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) need(`${type.name}.${value.name}`, value.description);
    } else if (isUnionType(type)) {
      // A union's members are types, described on their own.
    }
  }
  return missing.sort();
}

describe('the schema', () => {
  it('describes every type, field, argument, enum value and input field for the Docs panel', async () => {
    const missing = undescribed(await buildAppSchema());
    expect(missing, `${missing.length} schema elements without a description:\n${missing.join('\n')}`).toEqual([]);
  });
});
