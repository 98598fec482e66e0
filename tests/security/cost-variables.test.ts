import { print, type GraphQLFormattedError } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSessionsWithMessagesDocument } from '../generated/graphql.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
});
afterAll(() => server?.stop());

interface Outcome {
  data?: unknown;
  errors?: readonly GraphQLFormattedError[];
}

type Transport = (query: string, variables?: Record<string, unknown>) => Promise<Outcome>;

const http: Transport = async (query, variables) => {
  const res = await server.gql(query, variables, { token: user.token });
  return { data: res.data, errors: res.errors };
};

let wsClient: Client | undefined;
/** The same operation over graphql-ws: one result, or the errors the server refused it with. */
const ws: Transport = (query, variables) => {
  wsClient ??= server.ws(user.token);
  const client = wsClient;
  return new Promise((resolve) => {
    const outcome: Outcome = {};
    client.subscribe(
      { query, variables },
      {
        next: (result) => Object.assign(outcome, result),
        error: (errors) => resolve({ errors: Array.isArray(errors) ? (errors as GraphQLFormattedError[]) : [{ message: String(errors) }] }),
        complete: () => resolve(outcome),
      },
    );
  });
};

const MESSAGES = 'edges { node { id content role createdAt } }';

/** `count` aliases of chat sessions with their messages; `first` is literal text such as "$n", "100" or "" (none). */
function sessionsWithMessages(count: number, first: string, header = ''): string {
  const arg = first ? `(first: ${first})` : '';
  const fields = Array.from({ length: count }, (_, i) => `a${i}: chatSessions${arg} { edges { node { id messages${arg} { ${MESSAGES} } } } }`);
  return `query Bomb${header} { ${fields.join(' ')} }`;
}

/** The cost the server reports when it refuses: the figure in "found N". */
function refusedCost(outcome: Outcome): number {
  expect(outcome.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  const match = /^Query Cost limit of 100000 exceeded, found (\d+)\.$/.exec(outcome.errors?.[0]?.message ?? '');
  expect(match, JSON.stringify(outcome.errors)).not.toBeNull();
  return Number(match![1]);
}

describe.each([
  ['HTTP', http],
  ['WebSocket', ws],
])('the cost limit over %s', (_name, send) => {
  it('costs a page size given in a variable like the same literal: 30 aliases of first: $n with n = 100 are refused', async () => {
    const literal = refusedCost(await send(sessionsWithMessages(30, '100')));
    const variable = refusedCost(await send(sessionsWithMessages(30, '$n', '($n: Int)'), { n: 100 }));
    expect(variable).toBe(literal);
    // One document text, two variable values: the first answer must not be reused for the second.
    const small = await send(sessionsWithMessages(1, '$n', '($n: Int)'), { n: 1 });
    expect(small.errors).toBeUndefined();
    expect(refusedCost(await send(sessionsWithMessages(1, '$n', '($n: Int)'), { n: 100 }))).toBeGreaterThan(100_000);
  });

  it("costs a variable's own default when the variable is not sent", async () => {
    const literal = refusedCost(await send(sessionsWithMessages(30, '100')));
    expect(refusedCost(await send(sessionsWithMessages(30, '$n', '($n: Int = 100)')))).toBe(literal);
  });

  it("costs the argument's schema default (first = 20) when no first is given, literally or through an unset variable", async () => {
    const explicit = refusedCost(await send(sessionsWithMessages(4, '20')));
    expect(refusedCost(await send(sessionsWithMessages(4, '')))).toBe(explicit);
    expect(refusedCost(await send(sessionsWithMessages(4, '$n', '($n: Int)')))).toBe(explicit);
    expect(refusedCost(await send(sessionsWithMessages(4, '$n', '($n: Int)'), { n: null }))).toBe(explicit);
  });

  it('costs the fields a named fragment or an inline fragment brings in where they land', async () => {
    const flat = refusedCost(await send(sessionsWithMessages(30, '$n', '($n: Int)'), { n: 100 }));
    const fields = Array.from({ length: 30 }, (_, i) => `a${i}: chatSessions(first: $n) { edges { node { id ...Messages } } }`);
    const named = `query Named($n: Int) { ${fields.join(' ')} }
      fragment Messages on ChatSession { messages(first: $n) { edges { node { ...MessageFields } } } }
      fragment MessageFields on Message { id content role createdAt }`;
    expect(refusedCost(await send(named, { n: 100 }))).toBe(flat);
    const inline = Array.from(
      { length: 30 },
      (_, i) =>
        `a${i}: chatSessions(first: $n) { edges { node { id ... on ChatSession { messages(first: $n) { edges { ... { node { id content role createdAt } } } } } } } }`,
    );
    expect(refusedCost(await send(`query Inline($n: Int) { ${inline.join(' ')} }`, { n: 100 }))).toBe(flat);
  });

  it("answers the app's ordinary queries, variables and all", async () => {
    const me = await send('query Me { me { id username } authSessions { id current } }');
    expect(me.errors).toBeUndefined();
    const list = await send(print(ChatSessionsWithMessagesDocument), { first: 20, last: 20 });
    expect(list.errors).toBeUndefined();
    const accounts = await send(
      'query Accounts { accounts { id number name balance { minor currency decimal } entries(first: 3) { edges { node { direction amount { decimal } balanceAfter { decimal } description postedAt } } } } }',
    );
    expect(accounts.errors).toBeUndefined();
    const journal = await send(
      'query Journal { journalEntries(first: 5, search: "sad") { totalCount edges { node { title sections { name content } createdAt } } } templates { name active sections { name aliases } } preferences { preferredFeedbackStyle longTermGoals } }',
    );
    expect(journal.errors).toBeUndefined();
  });
});
