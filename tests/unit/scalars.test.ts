import { graphql, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar, MinorUnitsScalar } from '../../src/shared/scalars.js';

// A one-field schema that echoes its MinorUnits argument, to exercise the scalar as graphql-js does.
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      echo: {
        type: MinorUnitsScalar,
        args: { amount: { type: MinorUnitsScalar } },
        resolve: (_root, args: { amount: bigint }) => {
          if (typeof args.amount !== 'bigint') throw new Error('not a bigint');
          return args.amount;
        },
      },
      when: { type: GraphQLString, args: { at: { type: DateTimeScalar } }, resolve: (_r, args: { at: Date }) => args.at.toISOString() },
    },
  }),
});

const run = (source: string, variableValues?: Record<string, unknown>) => graphql({ schema, source, variableValues });

describe('MinorUnits', () => {
  it.each([
    ['"125000"', '125000'],
    ['"-42"', '-42'],
    ['7', '7'],
    ['"9223372036854775807"', '9223372036854775807'],
    ['9223372036854775807', '9223372036854775807'],
  ])('accepts the literal %s exactly', async (literal, expected) => {
    expect(await run(`{ echo(amount: ${literal}) }`)).toEqual({ data: { echo: expected } });
  });

  it.each([['"12.5"'], ['"1e3"'], ['""'], ['12.5'], ['"9223372036854775808"'], ['" 12"'], ['true']])(
    'refuses the literal %s with BAD_USER_INPUT',
    async (literal) => {
      const result = await run(`{ echo(amount: ${literal}) }`);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    },
  );

  it.each([['12.5'], ['1e3'], [''], [12.5], [2 ** 60], [null]])('refuses the variable %j with BAD_USER_INPUT (or a null check)', async (value) => {
    const result = await run('query($a: MinorUnits!) { echo(amount: $a) }', { a: value });
    expect(result.errors?.length).toBe(1);
    if (value !== null) expect(result.errors?.[0]?.message).toMatch(/MinorUnits must/);
  });

  it('accepts a variable as a digit string or a safe integer', async () => {
    expect(await run('query($a: MinorUnits!) { echo(amount: $a) }', { a: '-900719925474099300' })).toEqual({ data: { echo: '-900719925474099300' } });
    expect(await run('query($a: MinorUnits!) { echo(amount: $a) }', { a: 1250 })).toEqual({ data: { echo: '1250' } });
  });
});

describe('DateTime', () => {
  it('reads an ISO-8601 time with a zone and writes UTC', async () => {
    expect(await run('{ when(at: "2026-03-01T10:00:00+02:00") }')).toEqual({ data: { when: '2026-03-01T08:00:00.000Z' } });
  });

  it('refuses a time without a zone', async () => {
    expect((await run('{ when(at: "2026-03-01 10:00") }')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
