import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddPlanItemDocument,
  CreateGoalDocument,
  CreateTransferDocument,
  DailyPlanDocument,
  DeleteGoalDocument,
  DeletePlanItemDocument,
  GoalAchievedDocument,
  GoalDocument,
  GoalsDocument,
  MovePlanItemDocument,
  SaveDailyPlanDocument,
  SaveWeeklyPlanDocument,
  UpdateGoalDocument,
  UpdatePlanItemDocument,
  WeeklyPlanDocument,
} from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { countStatements } from '../helpers/sql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let server: TestServer;
let op: string;
let alice: TestUser;
let mallory: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, maintenance: false });
  op = await loginOperator(server);
  alice = await registerUser(server);
  mallory = await registerUser(server);
});
afterAll(() => server?.stop());

const code = (r: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) => r.errors?.[0]?.extensions?.code;
const MONDAY = '2026-11-30';

describe('goals', () => {
  it('creates a savings goal whose progress is the linked account balance, in exact basis points capped at 10000', async () => {
    const savings = await openAccount(server, alice.token);
    await deposit(server, op, savings.id, 33_333);
    const { createGoal: goal } = await server.ok(
      CreateGoalDocument,
      { input: { title: 'Vacation', horizon: 'YEAR', targetMinor: '100000', currency: 'USD', accountId: savings.id, targetDate: '2027-06-01' } },
      { token: alice.token },
    );
    expect(goal).toMatchObject({ status: 'ACTIVE', priority: 'MEDIUM', progress: { minor: '33333' }, progressBasisPoints: 3333, account: { id: savings.id } });
    const noTarget = (await server.ok(CreateGoalDocument, { input: { title: 'Read more', horizon: 'MONTH', priority: 'HIGH' } }, { token: alice.token }))
      .createGoal;
    expect(noTarget).toMatchObject({ target: null, progress: null, progressBasisPoints: null });
    const reached = (
      await server.ok(
        CreateGoalDocument,
        { input: { title: 'Already there', horizon: 'WEEK', targetMinor: '30000', accountId: savings.id } },
        { token: alice.token },
      )
    ).createGoal;
    expect(reached).toMatchObject({ status: 'ACHIEVED', progressBasisPoints: 10000, target: { currency: 'USD' } });
  });

  it('refuses an account in another currency (CURRENCY_MISMATCH) and another user’s account (NOT_FOUND)', async () => {
    const eur = await openAccount(server, alice.token, 'EUR');
    const other = await openAccount(server, mallory.token);
    const input = { title: 'x', horizon: 'YEAR' as const, targetMinor: '100', currency: 'USD' };
    expect(code(await server.gql(CreateGoalDocument, { input: { ...input, accountId: eur.id } }, { token: alice.token }))).toBe('CURRENCY_MISMATCH');
    expect(code(await server.gql(CreateGoalDocument, { input: { ...input, accountId: other.id } }, { token: alice.token }))).toBe('NOT_FOUND');
  });

  it('lists by status with a cursor, and hides every goal of another user as NOT_FOUND', async () => {
    const user = await registerUser(server);
    const ids: string[] = [];
    for (const title of ['a', 'b', 'c'])
      ids.push((await server.ok(CreateGoalDocument, { input: { title, horizon: 'WEEK' } }, { token: user.token })).createGoal.id);
    await server.ok(UpdateGoalDocument, { id: ids[1]!, input: { status: 'ABANDONED' } }, { token: user.token });
    const first = (await server.ok(GoalsDocument, { status: 'ACTIVE', first: 1 }, { token: user.token })).goals;
    expect(first.edges.map((e) => e.node.id)).toEqual([ids[0]]);
    expect(first.totalCount).toBe(2);
    const next = (await server.ok(GoalsDocument, { status: 'ACTIVE', first: 1, after: first.pageInfo.endCursor }, { token: user.token })).goals;
    expect(next.edges.map((e) => e.node.id)).toEqual([ids[2]]);
    expect(next.pageInfo.hasNextPage).toBe(false);

    expect(code(await server.gql(GoalDocument, { id: ids[0]! }, { token: mallory.token }))).toBe('NOT_FOUND');
    expect(code(await server.gql(UpdateGoalDocument, { id: ids[0]!, input: { title: 'mine' } }, { token: mallory.token }))).toBe('NOT_FOUND');
    expect(code(await server.gql(DeleteGoalDocument, { id: ids[0]! }, { token: mallory.token }))).toBe('NOT_FOUND');
    expect(code(await server.gql(AddPlanItemDocument, { input: { date: MONDAY, title: 't', goalId: ids[0]! } }, { token: mallory.token }))).toBe('NOT_FOUND');
    expect((await server.ok(DeleteGoalDocument, { id: ids[0]! }, { token: user.token })).deleteGoal).toBe(true);
    expect(code(await server.gql(GoalDocument, { id: ids[0]! }, { token: user.token }))).toBe('NOT_FOUND');
  });

  it('fires goalAchieved once when a transfer brings the linked account to the target, and not again after', async () => {
    const user = await registerUser(server);
    const checking = await openAccount(server, user.token);
    const savings = await openAccount(server, user.token);
    await deposit(server, op, checking.id, 10_000);
    const goal = (
      await server.ok(CreateGoalDocument, { input: { title: 'Bike', horizon: 'MONTH', targetMinor: '5000', accountId: savings.id } }, { token: user.token })
    ).createGoal;
    const client = server.ws(user.token);
    const events = await server.subscribed(() => collect(client, GoalAchievedDocument));
    const send = (amount: number) =>
      server.ok(
        CreateTransferDocument,
        { input: { fromAccountId: checking.id, toAccountId: savings.id, amountMinor: String(amount), currency: 'USD', idempotencyKey: key() } },
        { token: user.token },
      );
    await send(4000);
    await send(1000);
    await send(1000);
    const [event] = await events.waitFor(1);
    expect(event!.goalAchieved).toMatchObject({ id: goal.id, status: 'ACHIEVED', progress: { minor: '5000' }, progressBasisPoints: 10000 });
    expect((await server.ok(GoalDocument, { id: goal.id }, { token: user.token })).goal).toMatchObject({ status: 'ACHIEVED', progressBasisPoints: 10000 });
    await send(1000);
    expect(events.events).toHaveLength(1);
    events.stop();
  });
});

describe('plans', () => {
  it('refuses a weekStart that is not a Monday, naming the Monday of that week', async () => {
    const r = await server.gql(WeeklyPlanDocument, { weekStart: '2026-12-03' }, { token: alice.token });
    expect(code(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toContain('2026-11-30');
  });

  it('returns the seven days of a saved week, empty ones included', async () => {
    const user = await registerUser(server);
    await server.ok(AddPlanItemDocument, { input: { date: '2026-12-02', title: 'Dentist', time: '09:30' } }, { token: user.token });
    expect((await server.ok(WeeklyPlanDocument, { weekStart: MONDAY }, { token: user.token })).weeklyPlan).toBeNull();
    const week = (
      await server.ok(SaveWeeklyPlanDocument, { input: { weekStart: MONDAY, summary: 'Ship it', focusAreas: ['health', 'work'] } }, { token: user.token })
    ).saveWeeklyPlan;
    expect(week.days.map((d) => d.date)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
    expect(week.days.map((d) => d.items.map((i) => i.title))).toEqual([[], [], ['Dentist'], [], [], [], []]);
    expect(week.focusAreas).toEqual(['health', 'work']);
  });

  it('keeps positions 0..n-1 through add, move, move to another day and delete', async () => {
    const user = await registerUser(server);
    const add = async (title: string, date = MONDAY) => (await server.ok(AddPlanItemDocument, { input: { date, title } }, { token: user.token })).addPlanItem;
    const [a, b, c, d] = [await add('a'), await add('b'), await add('c'), await add('d')];
    expect([a, b, c, d].map((i) => i.position)).toEqual([0, 1, 2, 3]);
    const moved = (await server.ok(MovePlanItemDocument, { id: d.id, position: 0 }, { token: user.token })).movePlanItem;
    expect(moved.items.map((i) => [i.title, i.position])).toEqual([
      ['d', 0],
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(code(await server.gql(MovePlanItemDocument, { id: d.id, position: 4 }, { token: user.token }))).toBe('BAD_USER_INPUT');

    await add('x', '2026-12-01');
    const item = (await server.ok(UpdatePlanItemDocument, { id: a.id, input: { date: '2026-12-01', status: 'DONE' } }, { token: user.token })).updatePlanItem;
    expect(item).toMatchObject({ date: '2026-12-01', position: 1, status: 'DONE' });
    const monday = (await server.ok(DailyPlanDocument, { date: MONDAY }, { token: user.token })).dailyPlan!;
    expect(monday.items.map((i) => [i.title, i.position])).toEqual([
      ['d', 0],
      ['b', 1],
      ['c', 2],
    ]);

    expect((await server.ok(DeletePlanItemDocument, { id: d.id }, { token: user.token })).deletePlanItem).toBe(true);
    const after = (await server.ok(DailyPlanDocument, { date: MONDAY }, { token: user.token })).dailyPlan!;
    expect(after.items.map((i) => [i.title, i.position])).toEqual([
      ['b', 0],
      ['c', 1],
    ]);
    const summary = (await server.ok(SaveDailyPlanDocument, { input: { date: MONDAY, summary: 'Calm day' } }, { token: user.token })).saveDailyPlan;
    expect(summary.summary).toBe('Calm day');

    for (const doc of [MovePlanItemDocument] as const)
      expect(code(await server.gql(doc, { id: b.id, position: 0 }, { token: mallory.token }))).toBe('NOT_FOUND');
    expect(code(await server.gql(UpdatePlanItemDocument, { id: b.id, input: { title: 'mine' } }, { token: mallory.token }))).toBe('NOT_FOUND');
    expect(code(await server.gql(DeletePlanItemDocument, { id: b.id }, { token: mallory.token }))).toBe('NOT_FOUND');
    expect(code(await server.gql(AddPlanItemDocument, { input: { date: MONDAY, title: 'x', time: '25:00' } }, { token: user.token }))).toBe('BAD_USER_INPUT');
    const goal = (await server.ok(CreateGoalDocument, { input: { title: 'Focus', horizon: 'WEEK' } }, { token: user.token })).createGoal;
    const linked = (await server.ok(UpdatePlanItemDocument, { id: b.id, input: { goalId: goal.id } }, { token: user.token })).updatePlanItem;
    expect(linked.goal).toEqual({ id: goal.id, title: 'Focus' });
    const unlinked = (await server.ok(UpdatePlanItemDocument, { id: b.id, input: { clearGoal: true } }, { token: user.token })).updatePlanItem;
    expect(unlinked.goal).toBeNull();
  });

  it('reads a week in a constant number of SQL statements, whatever the number of items', async () => {
    const user = await registerUser(server);
    const goal = (await server.ok(CreateGoalDocument, { input: { title: 'g', horizon: 'WEEK' } }, { token: user.token })).createGoal;
    await server.ok(SaveWeeklyPlanDocument, { input: { weekStart: MONDAY } }, { token: user.token });
    const read = () => countStatements(server, () => server.ok(WeeklyPlanDocument, { weekStart: MONDAY }, { token: user.token }));
    await server.ok(AddPlanItemDocument, { input: { date: MONDAY, title: 'one', goalId: goal.id } }, { token: user.token });
    await read();
    const few = await read();
    for (let i = 0; i < 20; i++) {
      await server.ok(AddPlanItemDocument, { input: { date: `2026-12-0${1 + (i % 6)}`, title: `item ${i}`, goalId: goal.id } }, { token: user.token });
    }
    const many = await read();
    console.log(`weeklyPlan SQL statements: ${few} for 1 item, ${many} for 21 items`);
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(7);
  });
});
