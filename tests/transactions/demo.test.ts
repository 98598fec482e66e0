import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoData, DEMO_CUSTOMER } from '../../src/seed/demo.js';
import { LinkedAccountsDocument, LoginDocument, TransactionsDocument } from '../generated/graphql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/* The demo's every outflow (issue 25), with nothing configured: the embedded sandbox bank, rent by transfer, cash. */
let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer({ env: { SEED_DEMO: 'true', LINK_SYNC_INTERVAL: '0' } });
  token = (await server.ok(LoginDocument, { input: { ...DEMO_CUSTOMER } })).login.accessToken;
});
afterAll(() => server?.stop());

const feed = async (filter: Record<string, unknown>) => (await server.ok(TransactionsDocument, { filter, first: 100 }, { token })).transactions;

it('gives the demo customer a linked account at the sandbox demo bank, rent by transfer in the Home jar and two cash entries, once', async () => {
  const { linkedAccounts } = await server.ok(LinkedAccountsDocument, {}, { token });
  expect(linkedAccounts.map((a) => [a.institution.name, a.status, a.currency])).toEqual([['Sandbox Demo Bank', 'ACTIVE', 'USD']]);
  const linked = await feed({ source: 'LINKED' });
  expect(linked.totalCount).toBeGreaterThan(40);

  const rent = (await feed({ source: 'TRANSFER', search: 'Rent' })).edges.map((e) => e.node);
  expect(rent.length).toBe(3);
  for (const t of rent) expect([t.direction, t.amount.minor, t.category, t.jar?.name]).toEqual(['OUT', '120000', 'HOUSING', 'Home']);
  // One a month, in the three months before this one.
  expect(new Set(rent.map((t) => t.occurredOn.slice(0, 7))).size).toBe(3);
  expect(rent.every((t) => t.occurredOn.slice(0, 7) < new Date().toISOString().slice(0, 7))).toBe(true);

  const cash = (await feed({ source: 'MANUAL' })).edges.map((e) => e.node);
  expect(cash.map((t) => t.description).sort()).toEqual(['Coffee (cash)', 'Farmers market (cash)']);

  const before = (await feed({})).totalCount;
  await seedDemoData(server.app.deps, server.app.orm);
  expect((await feed({})).totalCount).toBe(before);
  expect((await server.ok(LinkedAccountsDocument, {}, { token })).linkedAccounts).toHaveLength(1);
});
