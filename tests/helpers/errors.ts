import type { GraphQLFormattedError } from 'graphql';
import { expect } from 'vitest';

/** Anything with GraphQL errors: a GqlResult, an Apollo or graphql-ws result. */
export interface WithErrors {
  errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined;
}

/** The first error's extensions.code, or undefined when there is none. */
export const codeOf = (result: WithErrors): unknown => result.errors?.[0]?.extensions?.code;

/** Asserts one error with this code (and, when given, a `fields` entry naming `field`). */
export function expectError(result: { errors?: GraphQLFormattedError[] | undefined }, code: string, field?: string): GraphQLFormattedError {
  expect(result.errors, JSON.stringify(result)).toHaveLength(1);
  const error = result.errors![0]!;
  expect(error.extensions?.code, JSON.stringify(error)).toBe(code);
  if (field !== undefined) {
    const fields = (error.extensions?.fields ?? []) as Array<{ field: string }>;
    expect(
      fields.map((f) => f.field),
      JSON.stringify(error),
    ).toContain(field);
  }
  return error;
}
