import { afterAll, beforeAll, expect, it } from 'vitest';
import { SpendingTotalsDocument } from '../generated/graphql.js';
import { createJar, fundedCard, MCC, setIncome, spend } from '../factories/budget.js';
import { loginOperator, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { TestClock } from '../helpers/clock.js';
import { countStatements } from '../helpers/sql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { INSIGHTS_STATEMENTS } from '../../src/modules/budget/insights.service.js';

const clock = new TestClock();
let server: TestServer;
let op: string;
let user: TestUser;
let card: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, maintenance: false, clock });
  op = await loginOperator(server);
  user = await registerUser(server);
  await setIncome(server, user.token, 500_000);
  await createJar(server, user.token, 'Dining', 2000, ['DINING']);
  await createJar(server, user.token, 'Groceries', 2000, ['GROCERIES']);
  card = await fundedCard(server, op, user.token);
});
afterAll(() => server?.stop());

async function payments(n: number): Promise<void> {
  try {
    for (let i = 0; i < n; i++) {
      clock.set(`2026-10-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z`);
      await spend(server, op, card, 100 + i, i % 2 ? MCC.DINING : MCC.GROCERIES);
    }
  } finally {
    clock.reset();
  }
}

it(`computes spendingInsights in ${INSIGHTS_STATEMENTS} SQL statements (plus the session check) at N and 2N payments`, async () => {
  const run = () => countStatements(server, () => server.ok(SpendingTotalsDocument, { month: '2026-10', currency: 'USD' }, { token: user.token }));
  await payments(10);
  await run(); // warm-up: the session row is refreshed at most once a minute
  const atN = await run();
  await payments(10);
  const at2N = await run();
  const totals = (await server.ok(SpendingTotalsDocument, { month: '2026-10', currency: 'USD' }, { token: user.token })).spendingInsights;
  expect(totals.totalSpent.minor).toBe(String(Array.from({ length: 10 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0) * 2));
  expect(at2N).toBe(atN);
  expect(atN).toBe(INSIGHTS_STATEMENTS + 1);
});
