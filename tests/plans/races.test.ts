import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AddPlanItemDocument,
  CreateGoalDocument,
  CreateTransferDocument,
  DailyPlanDocument,
  GoalAchievedDocument,
  MovePlanItemDocument,
  UpdatePlanItemDocument,
} from '../generated/graphql.js';
import { deposit, key, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { describeNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let server: TestServer;
let op: string;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, DB_POOL_MAX: '20' } });
  op = await loginOperator(server);
  user = await registerUser(server);
});
afterAll(() => server?.stop());

describeNeeding(RACES_NEED_POSTGRES, 'plans racing on PostgreSQL', () => {
  it('keeps positions 0..n-1, each item once, under 20 concurrent moves in one day', async () => {
    const date = '2026-12-07';
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push((await server.ok(AddPlanItemDocument, { input: { date, title: `item ${i}` } }, { token: user.token })).addPlanItem.id);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => server.gql(MovePlanItemDocument, { id: ids[i % 10]!, position: (i * 7) % 10 }, { token: user.token })),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    // Every answer was a consistent day too, not just the final state.
    for (const r of results) expect(r.data!.movePlanItem.items.map((i) => i.position)).toEqual([...Array(10).keys()]);
    const day = (await server.ok(DailyPlanDocument, { date }, { token: user.token })).dailyPlan!;
    expect(day.items.map((i) => i.position)).toEqual([...Array(10).keys()]);
    expect(new Set(day.items.map((i) => i.id))).toEqual(new Set(ids));
  });

  it('numbers 20 concurrent additions to a new day 0..19, and 15 concurrent moves to another day append without gaps', async () => {
    const date = '2026-12-14';
    const added = await Promise.all(
      Array.from({ length: 20 }, (_, i) => server.gql(AddPlanItemDocument, { input: { date, title: `add ${i}` } }, { token: user.token })),
    );
    expect(added.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(added.map((r) => r.data!.addPlanItem.position).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    const moved = await Promise.all(
      added.slice(0, 15).map((r) => server.gql(UpdatePlanItemDocument, { id: r.data!.addPlanItem.id, input: { date: '2026-12-15' } }, { token: user.token })),
    );
    expect(moved.flatMap((r) => r.errors ?? [])).toEqual([]);
    for (const [day, n] of [
      ['2026-12-14', 5],
      ['2026-12-15', 15],
    ] as const) {
      const items = (await server.ok(DailyPlanDocument, { date: day }, { token: user.token })).dailyPlan!.items;
      expect(items.map((i) => i.position)).toEqual([...Array(n).keys()]);
    }
  });

  it('fires goalAchieved exactly once when concurrent transfers cross the target', async () => {
    const checking = await openAccount(server, user.token);
    const savings = await openAccount(server, user.token);
    await deposit(server, op, checking.id, 100_000);
    const goal = (
      await server.ok(CreateGoalDocument, { input: { title: 'Car', horizon: 'YEAR', targetMinor: '5000', accountId: savings.id } }, { token: user.token })
    ).createGoal;
    const client = server.ws(user.token);
    const events = await server.subscribed(() => collect(client, GoalAchievedDocument));
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.gql(
          CreateTransferDocument,
          { input: { fromAccountId: checking.id, toAccountId: savings.id, amountMinor: '1000', currency: 'USD', idempotencyKey: key() } },
          { token: user.token },
        ),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    await events.waitFor(1);
    // A second event would have been published by the last of the 20 postings, already answered.
    await server.ok(
      CreateTransferDocument,
      { input: { fromAccountId: checking.id, toAccountId: savings.id, amountMinor: '1', currency: 'USD', idempotencyKey: key() } },
      { token: user.token },
    );
    expect(events.events.map((e) => e.goalAchieved.id)).toEqual([goal.id]);
    events.stop();
  });
});
