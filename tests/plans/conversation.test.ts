import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountEntriesDocument,
  AddPlanItemDocument,
  ConfirmTransferDocument,
  CreateChatSessionDocument,
  DailyPlanDocument,
  GoalAchievedDocument,
  GoalsDocument,
  SetTimeZoneDocument,
} from '../generated/graphql.js';
import { deposit, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { converse, type FinishedRun } from '../helpers/agent.js';
import { TestClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

// Sunday 23:30 UTC is already Monday 08:30 in Tokyo: "today" and "tomorrow" are the user's days.
const clock = new TestClock();
clock.set('2026-12-06T23:30:00Z');
const TODAY = '2026-12-07';
const TOMORROW = '2026-12-08';

let server: TestServer;
let user: TestUser;
let sessionId: string;
let savingsId: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, clock });
  const op = await loginOperator(server);
  user = await registerUser(server);
  const checking = await openAccount(server, user.token, 'USD', 'Checking');
  const savings = await openAccount(server, user.token, 'USD', 'Savings');
  savingsId = savings.id;
  await deposit(server, op, checking.id, 500_000);
  await deposit(server, op, savings.id, 195_000);
  await server.ok(SetTimeZoneDocument, { timeZone: 'Asia/Tokyo' }, { token: user.token });
  sessionId = (await server.ok(CreateChatSessionDocument, { input: { conversationType: 'PLANNING', title: 'Plan' } }, { token: user.token })).createChatSession
    .id;
});
afterAll(() => server?.stop());

const say = (text: string) => converse(server, user.token, sessionId, text);

/** Every run streams like any other: thinking steps, its tool calls, then the answer's tokens. */
function expectStreamed(run: FinishedRun, tools: string[]): void {
  expect(run.run.status).toBe('SUCCEEDED');
  expect(run.of('ThinkingStep').length).toBeGreaterThan(0);
  expect(run.of('ToolCallStarted').map((e) => e.tool)).toEqual(tools);
  expect(run.of('ToolCallFinished').every((e) => e.ok)).toBe(true);
  expect(run.of('TokenDelta').length).toBeGreaterThan(1);
}

describe('a planning conversation with the local assistant, on real data', () => {
  it('plans tomorrow in the user’s time zone with three items, times parsed where given', async () => {
    const run = await say('plan my day tomorrow: gym at 7, finish the report, call mom');
    expectStreamed(run, ['plan_day']);
    const day = (await server.ok(DailyPlanDocument, { date: TOMORROW }, { token: user.token })).dailyPlan!;
    expect(day.items.map((i) => [i.title, i.time, i.position])).toEqual([
      ['gym', '07:00', 0],
      ['finish the report', null, 1],
      ['call mom', null, 2],
    ]);
    expect(run.text).toContain(TOMORROW);
    expect(run.text).toContain('07:00 gym');
  });

  it("reads today's plan back, then marks the gym DONE when told", async () => {
    for (const [title, time] of [
      ['Gym', '06:30'],
      ['Read a chapter', null],
    ] as const) {
      await server.ok(AddPlanItemDocument, { input: { date: TODAY, title, time } }, { token: user.token });
    }
    const shown = await say("what's on my plan today?");
    expectStreamed(shown, ['list_plan']);
    expect(shown.text).toContain(TODAY);
    expect(shown.text).toContain('06:30 Gym');
    expect(shown.text).toContain('Read a chapter');

    const did = await say('I did the gym');
    expectStreamed(did, ['list_plan', 'set_item_status']);
    const today = (await server.ok(DailyPlanDocument, { date: TODAY }, { token: user.token })).dailyPlan!;
    expect(today.items.map((i) => [i.title, i.status])).toEqual([
      ['Gym', 'DONE'],
      ['Read a chapter', 'TODO'],
    ]);
    // Tomorrow's gym is another item: untouched.
    const tomorrow = (await server.ok(DailyPlanDocument, { date: TOMORROW }, { token: user.token })).dailyPlan!;
    expect(tomorrow.items[0]!.status).toBe('TODO');
  });

  it('adds a savings goal with a target, tracked on the Savings account, and lists it', async () => {
    const added = await say('add a goal to save 2000 dollars for a vacation by June');
    expectStreamed(added, ['create_goal']);
    const goals = (await server.ok(GoalsDocument, {}, { token: user.token })).goals.edges.map((e) => e.node);
    expect(goals).toHaveLength(1);
    expect(goals[0]).toMatchObject({
      title: 'Vacation',
      status: 'ACTIVE',
      targetDate: '2027-06-30',
      target: { minor: '200000', currency: 'USD' },
      progress: { minor: '195000' },
      progressBasisPoints: 9750,
      account: { id: savingsId },
    });

    const listed = await say('what are my goals?');
    expectStreamed(listed, ['list_goals']);
    expect(listed.text).toContain('Vacation');
    expect(listed.text).toContain('1950.00 USD saved of 2000.00 USD (97.5%)');
  });

  it('proposes a contribution that only the user’s confirmTransfer posts, and the goal is achieved once', async () => {
    const client = server.ws(user.token);
    const achieved = await server.subscribed(() => collect(client, GoalAchievedDocument));
    const run = await say('put 100 dollars toward my vacation goal');
    expectStreamed(run, ['list_goals', 'propose_goal_contribution']);
    const [proposed] = run.of('TransferProposed');
    expect(proposed!.transfer).toMatchObject({ status: 'PENDING_CONFIRMATION', amount: { decimal: '100.00' } });
    expect(run.text).toContain('100.00 USD from Checking to Savings');
    const balance = async () => (await server.ok(AccountEntriesDocument, { id: savingsId }, { token: user.token })).account.balance.minor;
    expect(await balance()).toBe('195000');
    expect(achieved.events).toEqual([]);

    await server.ok(ConfirmTransferDocument, { id: proposed!.transfer.id }, { token: user.token });
    expect(await balance()).toBe('205000');
    const [event] = await achieved.waitFor(1);
    expect(event!.goalAchieved).toMatchObject({ title: 'Vacation', status: 'ACHIEVED', progressBasisPoints: 10000, progress: { minor: '205000' } });
    // Confirming again changes nothing and announces nothing.
    await server.gql(ConfirmTransferDocument, { id: proposed!.transfer.id }, { token: user.token });
    const listed = await say('what are my goals?');
    expect(listed.text).toContain('no active goals');
    expect(achieved.events).toHaveLength(1);
    achieved.stop();
  });
});
