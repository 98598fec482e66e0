import { afterAll, beforeAll, expect, it } from 'vitest';
import { RecordManualTransactionDocument, TransactionsDocument } from '../generated/graphql.js';
import { createJar, fundedCard, MCC, setIncome, spend } from '../factories/budget.js';
import { loginOperator, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { countStatements } from '../helpers/sql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let op: string;
let user: TestUser;
let card: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, maintenance: false });
  op = await loginOperator(server);
  user = await registerUser(server);
  await setIncome(server, user.token, 500_000);
  await createJar(server, user.token, 'Dining', 2000, ['DINING']);
  card = await fundedCard(server, op, user.token);
});
afterAll(() => server?.stop());

/** n card payments and n cash entries. */
async function fill(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await spend(server, op, card, 100 + i, MCC.DINING);
    const input = { amountMinor: String(200 + i), currency: 'USD', description: `Cash ${i}`, category: 'DINING' as const, occurredOn: '2026-10-07' };
    await server.ok(RecordManualTransactionDocument, { input }, { token: user.token });
  }
}

it("pages the feed, with each row's jar, account, card payment and transfer, in as many SQL statements at 2N rows as at N", async () => {
  const page = () => server.ok(TransactionsDocument, { first: 100 }, { token: user.token });
  const run = () => countStatements(server, page);
  await fill(10);
  await run(); // warm-up: the session row is refreshed at most once a minute
  const atN = await run();
  await fill(10);
  const at2N = await run();
  const edges = (await page()).transactions.edges;
  expect(edges).toHaveLength(41); // 20 payments, 20 cash entries, the deposit
  expect(edges.filter((e) => e.node.jar !== null)).toHaveLength(40);
  expect(edges.filter((e) => e.node.cardPayment !== null && e.node.transfer !== null && e.node.account !== null)).toHaveLength(20);
  expect(at2N).toBe(atN);
  expect(atN).toBeLessThanOrEqual(7);
});
