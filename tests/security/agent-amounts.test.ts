import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAmount } from '../../src/modules/agent/llm/local.money.js';
import { TransfersDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { deposit, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { converse } from '../helpers/agent.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let local: TestServer;
let openai: TestServer;
let fake: FakeOpenAi;

beforeAll(async () => {
  let scripted;
  [local, scripted] = await Promise.all([startTestServer({ env: { ...OPERATOR_ENV } }), startScriptedServer({ llmTimeoutMs: 3000, env: { ...OPERATOR_ENV } })]);
  ({ fake, server: openai } = scripted);
});
afterAll(() => Promise.all([local?.stop(), openai?.stop()]));

/** A user with USD "Checking" (100.00) and "Savings" accounts. */
async function customer(server: TestServer): Promise<{ user: TestUser; checking: string; savings: string }> {
  const op = await loginOperator(server);
  const user = await registerUser(server);
  const checking = await openAccount(server, user.token, 'USD', 'Checking');
  const savings = await openAccount(server, user.token, 'USD', 'Savings');
  await deposit(server, op, checking.id, 10_000);
  return { user, checking: checking.id, savings: savings.id };
}

/** What the assistant proposed: the deposit is the only other transfer the user sees. */
const transfersOf = async (server: TestServer, token: string) =>
  (await server.ok(TransfersDocument, { status: 'PENDING_CONFIRMATION' }, { token })).transfers.edges.map((e) => e.node);

describe('the rule-based assistant never guesses an amount or a currency', () => {
  it.each([
    ['send -50 dollars from checking to savings', /positive amount/],
    ['send −50 USD from checking to savings', /positive amount/],
    ['send -$50 from checking to savings', /positive amount/],
    ['transfer $-50 from checking to savings', /positive amount/],
    ['send minus 50 dollars from checking to savings', /positive amount/],
    ['send 5 XXX from checking to savings', /currency called "XXX"/],
    ['send XXX 5 from checking to savings', /currency called "XXX"/],
    ['send 3 bitcoin from checking to savings', /currency called "bitcoin"/],
  ])('"%s" is answered with a question and proposes nothing', async (text, reply) => {
    const { user } = await customer(local);
    const session = await createSession(local, user.token, 'COACHING');
    const turn = await converse(local, user.token, session.id, text);
    expect(turn.run.status).toBe('SUCCEEDED');
    expect(turn.of('TransferProposed')).toEqual([]);
    expect(turn.run.toolCalls.map((c) => c.tool)).not.toContain('propose_transfer');
    expect(turn.text).toMatch(reply);
    expect(turn.text).toContain('?');
    expect(await transfersOf(local, user.token)).toEqual([]);
  });

  it('still proposes a plain positive amount in the account currency', async () => {
    const { user } = await customer(local);
    const session = await createSession(local, user.token, 'COACHING');
    const turn = await converse(local, user.token, session.id, 'send 50 dollars from checking to savings');
    expect(turn.of('TransferProposed').map((e) => e.transfer.amount.decimal)).toEqual(['50.00']);
  });

  it('reads the sign and the unknown code in findAmount', () => {
    expect(findAmount(' -50 dollars from checking')).toMatchObject({ value: '50', negative: true });
    expect(findAmount(' 40 dollars from checking')?.negative).toBeUndefined();
    expect(findAmount(' 5 XXX from checking')).toMatchObject({ value: '5', unknownCurrency: 'XXX' });
    expect(findAmount(' 5 USD from checking')).toMatchObject({ value: '5', currency: 'USD' });
  });
});

describe('propose_transfer refuses a non-positive amount from any model', () => {
  it.each([['-5000'], ['0'], ['00'], ['+5000'], ['10000000000000000']])(
    'amountMinor %s is refused before the service, nothing proposed',
    async (amountMinor) => {
      const { user, checking, savings } = await customer(openai);
      const session = await createSession(openai, user.token, 'COACHING');
      fake.script([
        [
          {
            toolCall: {
              id: 'call_1',
              name: 'propose_transfer',
              arguments: JSON.stringify({ fromAccountId: checking, toAccountId: savings, amountMinor, currency: 'USD' }),
              fragments: 2,
            },
          },
        ],
        [{ text: 'That amount did not work.' }],
      ]);
      const turn = await converse(openai, user.token, session.id, 'send it');
      const finished = turn.of('ToolCallFinished');
      expect(finished.map((e) => [e.tool, e.ok])).toEqual([['propose_transfer', false]]);
      expect(finished[0]!.result).toMatchObject({ error: { code: 'INVALID_ARGUMENTS' } });
      expect(turn.of('TransferProposed')).toEqual([]);
      expect(await transfersOf(openai, user.token)).toEqual([]);
    },
  );
});
