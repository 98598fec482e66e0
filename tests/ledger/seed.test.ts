import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoData, DEMO_CUSTOMER } from '../../src/seed/demo.js';
import { AccountsDocument, LoginDocument, StatementDocument } from '../generated/graphql.js';
import { ledgerSnapshot, ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { SEED_DEMO: 'true' } });
});
afterAll(() => server?.stop());

it('gives the demo customer funded checking and savings accounts with months of history, once', async () => {
  const token = (await server.ok(LoginDocument, { input: { ...DEMO_CUSTOMER } })).login.accessToken;
  const { accounts } = await server.ok(AccountsDocument, {}, { token });
  expect(accounts.map((a) => [a.name, a.currency])).toEqual([
    ['Checking', 'USD'],
    ['Savings', 'USD'],
  ]);
  for (const a of accounts) expect(BigInt(a.balance.minor)).toBeGreaterThan(0n);
  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const statement = (await server.ok(StatementDocument, { id: accounts[0]!.id, month: lastMonth }, { token })).account.statement;
  expect(statement.entryCount).toBeGreaterThan(0);
  expect(BigInt(statement.openingBalance.minor)).toBeGreaterThan(0n);

  const before = await ledgerSnapshot(server.app);
  await seedDemoData(server.app.deps, server.app.orm);
  expect(await ledgerSnapshot(server.app)).toEqual(before);
  expect(await ledgerViolations(server.app)).toEqual([]);
});
