// The query benchmark's SDL-first baseline: bench/bare-server.ts's schema written as SDL and
// built by @graphql-tools/schema's makeExecutableSchema, with no type-graphql. Against it the
// type-graphql baseline shows what type-graphql itself costs per request. Started as its own
// process by bench/query.ts; prints {"port": N} when listening.
import { makeExecutableSchema } from '@graphql-tools/schema';
import { bareData, serveBare } from './lib/bare.js';

// The types and nullability type-graphql emits for bench/bare-server.ts.
const typeDefs = /* GraphQL */ `
  type Money {
    decimal: String!
  }

  type Account {
    name: String!
    balance: Money!
  }

  type User {
    username: String!
  }

  type Query {
    me: User!
    accounts: [Account!]!
  }
`;

const data = bareData();

await serveBare(
  makeExecutableSchema({
    typeDefs,
    resolvers: { Query: { me: () => data.me, accounts: () => data.accounts } },
  }),
);
