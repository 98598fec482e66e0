import { afterAll, beforeAll, expect, it } from 'vitest';
import { AssignPaymentToJarDocument, BudgetDocument, CreateJarDocument } from '../generated/graphql.js';
import { createJar, fundedCard, MCC, setIncome, spend } from '../factories/budget.js';
import { loginOperator, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser } from '../factories/users.js';
import { describeNeeding, RACES_NEED_POSTGRES } from '../helpers/components.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let op: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, DB_POOL_MAX: '20' } });
  op = await loginOperator(server);
});
afterAll(() => server?.stop());

describeNeeding(RACES_NEED_POSTGRES, 'budgets racing on PostgreSQL', () => {
  it('lets exactly 10 of 20 concurrent createJar calls of 10% each through, the rest BUDGET_OVER_ALLOCATED', async () => {
    const user = await registerUser(server);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => server.gql(CreateJarDocument, { input: { name: `Jar ${i}`, allocationBasisPoints: 1000 } }, { token: user.token })),
    );
    expect(results.filter((r) => r.data?.createJar)).toHaveLength(10);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'BUDGET_OVER_ALLOCATED')).toHaveLength(10);
    const budget = (await server.ok(BudgetDocument, {}, { token: user.token })).budget;
    expect([budget.allocatedBasisPoints, budget.jars.length]).toEqual([10000, 10]);
  });

  it('creates one jar when 20 concurrent calls use the same name in different cases', async () => {
    const user = await registerUser(server);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.gql(CreateJarDocument, { input: { name: i % 2 ? 'FUN' : 'fun', allocationBasisPoints: 10 } }, { token: user.token }),
      ),
    );
    expect(results.filter((r) => r.data?.createJar)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'JAR_NAME_TAKEN')).toHaveLength(19);
  });

  it('stores one alert when 10 concurrent payments push a jar over its allocation', async () => {
    const user = await registerUser(server);
    await setIncome(server, user.token, 10_000);
    const jar = await createJar(server, user.token, 'Dining', 1000, ['DINING']);
    const card = await fundedCard(server, op, user.token);
    await Promise.all(Array.from({ length: 10 }, () => spend(server, op, card, 500, MCC.DINING)));
    const rows = await server.app.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: number }>>('select count(*)::int as n from budget_alert where jar_id = ?', [jar.id]);
    expect(rows[0]!.n).toBe(1);
  });

  it('keeps one assignment when 20 concurrent calls move the same payment between jars', async () => {
    const user = await registerUser(server);
    const jars = [await createJar(server, user.token, 'A', 100), await createJar(server, user.token, 'B', 100)];
    const card = await fundedCard(server, op, user.token);
    const payment = await spend(server, op, card, 100, MCC.GROCERIES);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => server.gql(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: jars[i % 2]!.id }, { token: user.token })),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const rows = await server.app.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: number }>>('select count(*)::int as n from payment_jar_assignment where payment_id = ?', [payment.id]);
    expect(rows[0]!.n).toBe(1);
  });
});
