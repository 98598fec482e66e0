import { ApolloClient, ApolloLink, HttpLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountsDocument,
  AgentEventsDocument,
  ConfirmTransferDocument,
  JournalEntriesDocument,
  SendMessageDocument,
  SessionStateDocument,
  type AgentEventsSubscription,
} from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { deposit, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { agentEventsCache, converse, expectGaplessSeq } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV } });
  user = await registerUser(server);
});
afterAll(() => server?.stop());

describe('the local rule-based provider', () => {
  it('is named as such on every run', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const run = await converse(server, user.token, session.id, 'hello there');
    expect(run.run).toMatchObject({ status: 'SUCCEEDED', provider: 'local' });
    expect(run.text.length).toBeGreaterThan(0);
    expect(run.of('TokenDelta').length).toBeGreaterThan(3);
  });

  it('journals: drafts what the user shares, asks for more, waits when told not to save, saves when asked', async () => {
    const session = await createSession(server, user.token, 'JOURNALING');
    const sad = await converse(server, user.token, session.id, "create a journal entry to say i'm sad");
    const drafted = sad.of('DraftUpdated')[0]?.draft;
    expect(drafted?.sections.some((s) => /sad/i.test(s.content))).toBe(true);
    expect(sad.text).toMatch(/\?/);

    const loss = await converse(server, user.token, session.id, 'I lost $5000 in the stock market today and it hurts');
    expect(
      loss
        .of('DraftUpdated')[0]
        ?.draft.sections.map((s) => s.content)
        .join(' '),
    ).toMatch(/\$5000 in the stock market/);

    const notYet = await converse(server, user.token, session.id, "no don't save it yet");
    expect(notYet.run.toolCalls.map((c) => c.tool)).not.toContain('save_journal');
    expect((await server.ok(JournalEntriesDocument, {}, { token: user.token })).journalEntries.totalCount).toBe(0);

    const save = await converse(server, user.token, session.id, 'save the journal');
    expect(save.run.toolCalls.map((c) => [c.tool, c.ok])).toEqual([['save_journal', true]]);
    const entries = (await server.ok(JournalEntriesDocument, {}, { token: user.token })).journalEntries;
    expect(entries.totalCount).toBe(1);
    const text = entries.edges[0]!.node.sections.map((s) => s.content).join('\n');
    expect(text).toMatch(/sad/i);
    expect(text).toMatch(/\$5000/);
    expect((await server.ok(SessionStateDocument, { id: session.id }, { token: user.token })).chatSession.draft?.isEmpty).toBe(true);
  });

  it('answers "how much do I have?" from the real balances', async () => {
    const owner = await registerUser(server);
    const operator = await loginOperator(server);
    const checking = await openAccount(server, owner.token, 'USD', 'Checking');
    const savings = await openAccount(server, owner.token, 'USD', 'Savings');
    await deposit(server, operator, checking.id, 123456);
    await deposit(server, operator, savings.id, 50000);
    const session = await createSession(server, owner.token, 'COACHING');
    const run = await converse(server, owner.token, session.id, 'how much do I have?');
    expect(run.run.toolCalls.map((c) => c.tool)).toEqual(['list_accounts']);
    expect(run.of('ThinkingStep')[0]?.label).toBe('Reading your accounts');
    expect(run.text).toMatch(/1,?234\.56/);
    expect(run.text).toMatch(/500(\.00)?/);
  });

  it('proposes "send 50 dollars from checking to savings" without moving money until the user confirms', async () => {
    const owner = await registerUser(server);
    const operator = await loginOperator(server);
    const checking = await openAccount(server, owner.token, 'USD', 'Checking');
    const savings = await openAccount(server, owner.token, 'USD', 'Savings');
    await deposit(server, operator, checking.id, 10000);
    const session = await createSession(server, owner.token, 'COACHING');
    const run = await converse(server, owner.token, session.id, 'send 50 dollars from checking to savings');
    const proposed = run.of('TransferProposed')[0]?.transfer;
    expect(proposed).toMatchObject({
      status: 'PENDING_CONFIRMATION',
      origin: 'ASSISTANT',
      amount: { minor: '5000', currency: 'USD', decimal: '50.00' },
      fromAccount: { id: checking.id },
      toAccount: { id: savings.id },
    });
    const balances = async () => (await server.ok(AccountsDocument, {}, { token: owner.token })).accounts.map((a) => [a.name, a.balance.minor]);
    expect(await balances()).toEqual([
      ['Checking', '10000'],
      ['Savings', '0'],
    ]);
    await server.ok(ConfirmTransferDocument, { id: proposed!.id }, { token: owner.token });
    expect(await balances()).toEqual([
      ['Checking', '5000'],
      ['Savings', '5000'],
    ]);
  });

  it('works end to end through Apollo Client: mutation over HTTP, subscription over graphql-ws', async () => {
    const session = await createSession(server, user.token, 'GENERAL');
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const wsClient = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${user.token}` } });
    const client = new ApolloClient({
      cache: agentEventsCache(),
      link: ApolloLink.split(
        ({ query }) => {
          const definition = getMainDefinition(query);
          return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
        },
        new GraphQLWsLink(wsClient),
        new HttpLink({ uri: server.url, headers: { authorization: `Bearer ${user.token}` } }),
      ),
    });
    try {
      const sent = await client.mutate({ mutation: SendMessageDocument, variables: { input: { sessionId: session.id, text: 'what can you do?' } } });
      const runId = sent.data!.sendMessage.id;
      const events = await new Promise<Array<AgentEventsSubscription['agentEvents']>>((resolve, reject) => {
        const seen: Array<AgentEventsSubscription['agentEvents']> = [];
        client.subscribe({ query: AgentEventsDocument, variables: { runId } }).subscribe({
          next: (result) => {
            if (result.error) reject(result.error);
            else if (result.data) seen.push(result.data.agentEvents);
          },
          error: reject,
          complete: () => resolve(seen),
        });
      });
      expectGaplessSeq(events);
      expect(events[0]?.__typename).toBe('RunStarted');
      expect(events.at(-1)).toMatchObject({ __typename: 'RunFinished', status: 'SUCCEEDED' });
    } finally {
      client.stop();
      await wsClient.dispose();
    }
  });
});
