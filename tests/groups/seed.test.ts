import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_FLATMATES, DEMO_GROUP_NAME } from '../../src/seed/demo-groups.js';
import { DEMO_CUSTOMER, seedDemoData } from '../../src/seed/demo.js';
import { GroupDocument, GroupExpensesDocument, GroupSettlementsDocument, GroupsDocument, LoginDocument } from '../generated/graphql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { SEED_DEMO: 'true' } });
});
afterAll(() => server?.stop());

it('gives demo a "Flat 3B" group with ana and ben: a month of groceries and utilities, ben settled, ana still owing; once', async () => {
  const token = (await server.ok(LoginDocument, { input: { ...DEMO_CUSTOMER } })).login.accessToken;
  const groups = (await server.ok(GroupsDocument, {}, { token })).groups;
  expect(groups.map((g) => g.name)).toEqual([DEMO_GROUP_NAME]);
  const group = (await server.ok(GroupDocument, { id: groups[0]!.id }, { token })).group;
  expect(group.members.map((m) => [m.user.username, m.role])).toEqual([
    ['demo', 'OWNER'],
    ['ana', 'MEMBER'],
    ['ben', 'MEMBER'],
  ]);
  const balances = Object.fromEntries(group.balances.map((b) => [b.user.id, BigInt(b.balance.minor)]));
  const [demo, ana, ben] = group.members.map((m) => m.user.id);
  expect(balances[ben!]).toBe(0n);
  expect(balances[ana!]! < 0n).toBe(true);
  expect(balances[demo!]).toBe(-balances[ana!]!);
  expect(group.suggestedSettlements).toEqual([{ from: { id: ana }, to: { id: demo }, amount: { minor: String(-balances[ana!]!) } }]);
  const expenses = (await server.ok(GroupExpensesDocument, { id: group.id }, { token })).group.expenses;
  expect(expenses.totalCount).toBe(7);
  expect(new Set(expenses.edges.map((e) => e.node.category))).toEqual(new Set(['GROCERIES', 'UTILITIES']));
  const settlements = (await server.ok(GroupSettlementsDocument, { id: group.id }, { token })).group.settlements;
  expect(settlements.edges.map((e) => [e.node.status, e.node.from.id])).toEqual([['SETTLED', ben]]);
  const anaToken = (await server.ok(LoginDocument, { input: { ...DEMO_FLATMATES[0] } })).login.accessToken;
  expect((await server.ok(GroupDocument, { id: group.id }, { token: anaToken })).group.myBalance.minor).toBe(String(balances[ana!]));

  await seedDemoData(server.app.deps, server.app.orm);
  expect((await server.ok(GroupsDocument, {}, { token })).groups).toHaveLength(1);
  expect((await server.ok(GroupExpensesDocument, { id: group.id }, { token })).group.expenses.totalCount).toBe(7);
});
