import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateChatSessionDocument, CreateGoalDocument, DailyPlanDocument, TransfersDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { openAccount } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { converse } from '../helpers/agent.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import type { TestServer } from '../helpers/server.js';

let fake: FakeOpenAi;
let server: TestServer;
let user: TestUser;
let other: TestUser;
beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({ llmTimeoutMs: 3000 }));
  user = await registerUser(server);
  other = await registerUser(server);
});
afterAll(() => server?.stop());

const call = (id: string, name: string, args: unknown) => ({ toolCall: { id, name, arguments: JSON.stringify(args), fragments: 2 } });
const offered = (i: number) => (fake.requests[i]!.tools ?? []).map((t) => t.function.name);

describe('per-conversation tools on an OpenAI-compatible provider', () => {
  it('offers a PLANNING session the goal and plan tools only, and plan_day adds the items', async () => {
    const goal = (await server.ok(CreateGoalDocument, { input: { title: 'Fitness', horizon: 'MONTH', priority: 'HIGH' } }, { token: user.token })).createGoal;
    const session = (
      await server.ok(
        CreateChatSessionDocument,
        { input: { conversationType: 'PLANNING', context: { goalId: goal.id, planDate: '2026-12-09' } } },
        { token: user.token },
      )
    ).createChatSession;
    const before = fake.requests.length;
    fake.script([
      [call('p1', 'plan_day', { date: '2026-12-09', items: [{ title: 'Run 5k', time: '06:45', goalId: goal.id }, { title: 'Stretch' }] })],
      [{ text: 'Planned.' }],
    ]);
    const run = await converse(server, user.token, session.id, 'plan wednesday');
    expect(run.run.status).toBe('SUCCEEDED');
    expect(offered(before)).toEqual(['list_goals', 'create_goal', 'update_goal', 'plan_day', 'list_plan', 'set_item_status', 'propose_goal_contribution']);
    // The session's goal and day are in the system prompt.
    const system = fake.requests[before]!.messages[0]!;
    expect(String(system.content)).toContain(`Fitness (id ${goal.id}, high priority) <- this conversation is about it`);
    expect(String(system.content)).toContain('Nothing planned for 2026-12-09');
    const day = (await server.ok(DailyPlanDocument, { date: '2026-12-09' }, { token: user.token })).dailyPlan!;
    expect(day.items.map((i) => [i.title, i.time, i.goal?.id ?? null])).toEqual([
      ['Run 5k', '06:45', goal.id],
      ['Stretch', null, null],
    ]);
  });

  it('refuses a tool outside the session’s set with a tool error, and nothing happens', async () => {
    const account = await openAccount(server, user.token);
    const target = await openAccount(server, user.token);
    const session = await createSession(server, user.token, 'REFLECTION');
    const before = fake.requests.length;
    fake.script([
      [call('x1', 'propose_transfer', { fromAccountId: account.id, toAccountId: target.id, amountMinor: '100', currency: 'USD' })],
      [call('x2', 'plan_day', { items: [{ title: 'sneaky' }] })],
      [{ text: 'I cannot do that here.' }],
    ]);
    const run = await converse(server, user.token, session.id, 'move money');
    expect(run.run.status).toBe('SUCCEEDED');
    expect(offered(before)).toEqual(['list_journal_entries', 'list_goals']);
    expect(run.of('ToolCallFinished').map((f) => [f.tool, f.ok, (f.result as { error: { code: string } }).error.code])).toEqual([
      ['propose_transfer', false, 'TOOL_NOT_OFFERED'],
      ['plan_day', false, 'TOOL_NOT_OFFERED'],
    ]);
    expect(run.of('TransferProposed')).toEqual([]);
    expect((await server.ok(TransfersDocument, { status: 'PENDING_CONFIRMATION' }, { token: user.token })).transfers.edges).toEqual([]);
  });

  it("refuses a context goal that is not the caller's (NOT_FOUND) and a malformed plan date", async () => {
    const goal = (await server.ok(CreateGoalDocument, { input: { title: 'Mine', horizon: 'WEEK' } }, { token: user.token })).createGoal;
    const foreign = await server.gql(
      CreateChatSessionDocument,
      { input: { conversationType: 'PLANNING', context: { goalId: goal.id } } },
      { token: other.token },
    );
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const badDate = await server.gql(
      CreateChatSessionDocument,
      { input: { conversationType: 'PLANNING', context: { planDate: '2026-13-01' } } },
      { token: user.token },
    );
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
