import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AssignPaymentToJarDocument,
  ArchiveJarDocument,
  BudgetDocument,
  CreateFeeDocument,
  ExportMyDataDocument,
  FeesDocument,
  ImportBudgetDocument,
  PaymentJarsDocument,
} from '../generated/graphql.js';
import { createJar, fundedAccount, MCC, setIncome, spend } from '../factories/budget.js';
import { loginOperator, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let op: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV } });
  op = await loginOperator(server);
});
afterAll(() => server?.stop());

type Doc = { budget: { jars: unknown[]; fees: unknown[]; assignments: Array<{ payment: Record<string, string>; jar: number }> } | null } & Record<
  string,
  unknown
>;

it('exports income, jars, fees and moved payments, and imports them back all or nothing without doubling', async () => {
  const source = await registerUser(server);
  const as = { token: source.token };
  await setIncome(server, source.token, 1_234_567, 'BHD');
  const food = await createJar(server, source.token, 'Food', 3000, ['GROCERIES', 'DINING']);
  const treats = await createJar(server, source.token, 'Treats', 1000);
  const old = await createJar(server, source.token, 'Old', 500);
  await server.ok(ArchiveJarDocument, { id: old.id }, as);
  await server.ok(
    CreateFeeDocument,
    { input: { name: 'Rent', amountMinor: '400000', currency: 'BHD', cadence: 'MONTHLY', nextDueOn: '2026-12-31', jarId: food.id } },
    as,
  );
  await server.ok(CreateFeeDocument, { input: { name: 'Gym', amountMinor: '15000', currency: 'BHD', cadence: 'WEEKLY', nextDueOn: '2026-12-03' } }, as);
  const { cardId } = await fundedAccount(server, op, source.token, 'BHD');
  const payment = await spend(server, op, cardId, 12_345, MCC.GROCERIES, 'BHD');
  await server.ok(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: treats.id }, as);

  const doc = (await server.ok(ExportMyDataDocument, {}, as)).exportMyData as Doc;
  expect(doc.budget).toMatchObject({
    currency: 'BHD',
    monthlyIncomeMinor: '1234567',
    jars: [
      { name: 'Food', allocationBasisPoints: 3000, categories: ['GROCERIES', 'DINING'], archived: false },
      { name: 'Treats', allocationBasisPoints: 1000, categories: [], archived: false },
      { name: 'Old', archived: true },
    ],
    fees: [
      { name: 'Rent', amountMinor: '400000', cadence: 'MONTHLY', nextDueOn: '2026-12-31', jar: 0, active: true },
      { name: 'Gym', amountMinor: '15000', cadence: 'WEEKLY', jar: null },
    ],
    assignments: [{ payment: { merchant: payment.merchant, amountMinor: '12345', currency: 'BHD', createdAt: payment.createdAt }, jar: 1 }],
  });
  expect(JSON.stringify(doc.budget)).not.toMatch(/"id"|[0-9a-f]{8}-[0-9a-f]{4}-7/);

  // Into a fresh account: everything but the moves (it has no such payment).
  const fresh = await registerUser(server);
  expect((await server.ok(ImportBudgetDocument, { data: doc }, { token: fresh.token })).importMyData).toEqual({ jars: 3, fees: 2, jarAssignments: 0 });
  const again = (await server.ok(ExportMyDataDocument, {}, { token: fresh.token })).exportMyData as Doc;
  expect({ ...again.budget, assignments: [] }).toEqual({ ...doc.budget, assignments: [] });
  const [mine, theirs] = await Promise.all([server.ok(BudgetDocument, {}, as), server.ok(BudgetDocument, {}, { token: fresh.token })]);
  expect(theirs.budget.jars.map((j) => j.id)).not.toContain(food.id);
  expect({ ...theirs.budget, jars: theirs.budget.jars.map((j) => ({ ...j, id: '' })) }).toEqual({
    ...mine.budget,
    jars: mine.budget.jars.map((j) => ({ ...j, id: '' })),
  });

  // Back into the source account after moving the payment home: jars and fees matched, the move restored.
  await server.ok(AssignPaymentToJarDocument, { paymentId: payment.id, jarId: null }, as);
  expect((await server.ok(ImportBudgetDocument, { data: doc }, as)).importMyData).toEqual({ jars: 0, fees: 0, jarAssignments: 1 });
  expect((await server.ok(PaymentJarsDocument, {}, as)).cardPayments.edges.map((e) => e.node)).toEqual([{ id: payment.id, jar: { id: treats.id } }]);
  expect((await server.ok(FeesDocument, {}, as)).fees).toHaveLength(2);

  // A bad budget part names its path and writes nothing.
  const target = await registerUser(server);
  const bad = structuredClone(doc) as { budget: { jars: Array<{ allocationBasisPoints: number }> } };
  bad.budget.jars[1]!.allocationBasisPoints = 20000;
  const refused = await server.gql(ImportBudgetDocument, { data: bad }, { token: target.token });
  expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'budget.jars[1].allocationBasisPoints' }] });
  const overfull = structuredClone(doc) as { budget: { jars: Array<{ allocationBasisPoints: number }> } };
  overfull.budget.jars[1]!.allocationBasisPoints = 8000;
  expect((await server.gql(ImportBudgetDocument, { data: overfull }, { token: target.token })).errors?.[0]?.extensions?.code).toBe('BUDGET_OVER_ALLOCATED');
  const empty = (await server.ok(ExportMyDataDocument, {}, { token: target.token })).exportMyData as Doc;
  expect(empty.budget).toBeNull();
});
