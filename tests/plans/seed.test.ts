import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoData, DEMO_CUSTOMER } from '../../src/seed/demo.js';
import { weekStartAt } from '../../src/modules/plans/plans.rules.js';
import { AccountsDocument, DailyPlanDocument, GoalsDocument, LoginDocument, WeeklyPlanDocument } from '../generated/graphql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { SEED_DEMO: 'true' } });
});
afterAll(() => server?.stop());

it("gives the demo customer three goals (one saved on Savings), this week's plan and today's items, once", async () => {
  const token = (await server.ok(LoginDocument, { input: { ...DEMO_CUSTOMER } })).login.accessToken;
  const savings = (await server.ok(AccountsDocument, {}, { token })).accounts.find((a) => a.name === 'Savings')!;
  const goals = (await server.ok(GoalsDocument, {}, { token })).goals.edges.map((e) => e.node);
  expect(goals.map((g) => [g.title, g.priority])).toEqual([
    ['Emergency fund', 'HIGH'],
    ['Run a half marathon', 'MEDIUM'],
    ['Read 12 books this year', 'LOW'],
  ]);
  expect(goals[0]).toMatchObject({ account: { id: savings.id }, progress: { minor: savings.balance.minor }, target: { minor: '500000' } });
  expect(goals[0]!.progressBasisPoints).toBe(Number((BigInt(savings.balance.minor) * 10000n) / 500000n));

  const now = server.app.deps.clock.now();
  const week = (await server.ok(WeeklyPlanDocument, { weekStart: weekStartAt(now, 'UTC') }, { token })).weeklyPlan!;
  expect(week.focusAreas).toEqual(['Training', 'Saving', 'Reading']);
  expect(week.days).toHaveLength(7);
  const today = (await server.ok(DailyPlanDocument, { date: now.toISOString().slice(0, 10) }, { token })).dailyPlan!;
  expect(today.items.map((i) => [i.time, i.title, i.goal?.title])).toEqual([
    ['07:00', 'Morning run', 'Run a half marathon'],
    ['12:30', 'Review this month’s spending', 'Emergency fund'],
    ['21:00', 'Read 30 pages', 'Read 12 books this year'],
  ]);

  await seedDemoData(server.app.deps, server.app.orm);
  expect((await server.ok(GoalsDocument, {}, { token })).goals.totalCount).toBe(3);
  expect((await server.ok(DailyPlanDocument, { date: today.date }, { token })).dailyPlan!.items).toHaveLength(3);
});
