import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddGroupExpenseDocument, DeleteGroupExpenseDocument, GroupDocument, GroupExpensesDocument, UpdateGroupExpenseDocument } from '../generated/graphql.js';
import { EXPENSE_BALANCES } from '../../migrations/Migration20261208020734.js';
import { balancesOf, groupOf } from '../factories/groups.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { codeOf } from '../helpers/errors.js';
import { countStatements } from '../helpers/sql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let ana: TestUser;
let ben: TestUser;
let cam: TestUser;
beforeAll(async () => {
  server = await startTestServer({ maintenance: false });
  [ana, ben, cam] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
});
afterAll(() => server?.stop());

const DAY = '2026-12-01';
type Mode = 'EQUAL' | 'EXACT' | 'PERCENT' | 'SHARES';
const add = (token: string, input: { groupId: string; amountMinor: string; splitMode: Mode; [k: string]: unknown }) =>
  server.gql(AddGroupExpenseDocument, { input: { description: 'Dinner', occurredOn: DAY, ...input } }, { token });
const shareAmounts = (e: { shares: Array<{ user: { id: string }; amount: { minor: string } }> }) => e.shares.map((s) => [s.user.id, s.amount.minor]);
const sum = (values: Iterable<bigint>) => [...values].reduce((a, b) => a + b, 0n);

describe('splits through the API', () => {
  it.each([
    ['USD', '1000', ['334', '333', '333']],
    ['JPY', '100', ['34', '33', '33']],
    ['BHD', '10001', ['3334', '3334', '3333']],
  ])('splits %s %s equally over every member in join order, the leftover units to the first', async (currency, amount, expected) => {
    const groupId = await groupOf(server, ana, [ben, cam], currency);
    const { addGroupExpense: e } = await server.ok(
      AddGroupExpenseDocument,
      { input: { groupId, description: 'Groceries', amountMinor: amount, occurredOn: DAY, splitMode: 'EQUAL' } },
      { token: ana.token },
    );
    expect(e.amount).toEqual({ minor: amount, currency });
    expect(shareAmounts(e)).toEqual([
      [ana.user.id, expected[0]],
      [ben.user.id, expected[1]],
      [cam.user.id, expected[2]],
    ]);
    expect(e.paidBy).toEqual([{ user: { id: ana.user.id, username: ana.user.username }, amount: { minor: amount } }]);
    const balances = await balancesOf(server, ben, groupId);
    expect(sum(balances.values())).toBe(0n);
    expect(balances.get(ana.user.id)).toBe(BigInt(amount) - BigInt(expected[0]!));
  });

  it.each([
    [
      'USD',
      '100',
      [
        ['3333', '34'],
        ['3334', '33'],
        ['3333', '33'],
      ],
    ],
    [
      'JPY',
      '1',
      [
        ['5000', '1'],
        ['5000', '0'],
      ],
    ],
    [
      'BHD',
      '1000',
      [
        ['2500', '250'],
        ['2500', '250'],
        ['5000', '500'],
      ],
    ],
  ])('splits %s %s by percent with exact sums and the leftover in share order', async (currency, amount, lines) => {
    const members = [cam, ben, ana];
    const groupId = await groupOf(server, ana, [ben, cam], currency);
    const shares = lines.map(([bp], i) => ({ userId: members[i]!.user.id, value: bp! }));
    const e = (await add(ana.token, { groupId, amountMinor: amount, splitMode: 'PERCENT', shares })).data!.addGroupExpense;
    expect(e.shares.map((s) => [s.weight, s.amount.minor])).toEqual(lines.map(([bp, minor]) => [Number(bp), minor]));
    expect(sum(e.shares.map((s) => BigInt(s.amount.minor)))).toBe(BigInt(amount));
  });

  it('splits by parts and by exact amounts, with several payers', async () => {
    const groupId = await groupOf(server, ana, [ben, cam]);
    const parts = (
      await add(ben.token, {
        groupId,
        description: 'Taxi',
        amountMinor: '4500',
        splitMode: 'SHARES',
        shares: [
          { userId: ben.user.id, value: '2' },
          { userId: ana.user.id, value: '1' },
        ],
      })
    ).data!.addGroupExpense;
    expect(shareAmounts(parts)).toEqual([
      [ben.user.id, '3000'],
      [ana.user.id, '1500'],
    ]);
    const exact = (
      await add(ana.token, {
        groupId,
        amountMinor: '1000',
        splitMode: 'EXACT',
        paidBy: [
          { userId: ana.user.id, amountMinor: '600' },
          { userId: cam.user.id, amountMinor: '400' },
        ],
        shares: [
          { userId: ben.user.id, value: '700' },
          { userId: cam.user.id, value: '300' },
        ],
      })
    ).data!.addGroupExpense;
    expect(exact.paidBy.map((p) => p.amount.minor)).toEqual(['600', '400']);
    const balances = await balancesOf(server, cam, groupId);
    // Ben: paid 4500, owes 3000 + 700; Ana: paid 600, owes 1500; Cam: paid 400, owes 300.
    expect(Object.fromEntries(balances)).toEqual({ [ana.user.id]: -900n, [ben.user.id]: 800n, [cam.user.id]: 100n });
  });

  it('refuses amounts that do not add up (SPLIT_MISMATCH) and people outside the group (NOT_A_MEMBER)', async () => {
    const groupId = await groupOf(server, ana, [ben]);
    const outsider = await registerUser(server);
    const paidBy = [{ userId: ana.user.id, amountMinor: '999' }];
    expect(codeOf(await add(ana.token, { groupId, amountMinor: '1000', splitMode: 'EQUAL', paidBy }))).toBe('SPLIT_MISMATCH');
    const exact = [
      { userId: ana.user.id, value: '500' },
      { userId: ben.user.id, value: '499' },
    ];
    expect(codeOf(await add(ana.token, { groupId, amountMinor: '1000', splitMode: 'EXACT', shares: exact }))).toBe('SPLIT_MISMATCH');
    const percent = [
      { userId: ana.user.id, value: '5000' },
      { userId: ben.user.id, value: '4000' },
    ];
    expect(codeOf(await add(ana.token, { groupId, amountMinor: '1000', splitMode: 'PERCENT', shares: percent }))).toBe('SPLIT_MISMATCH');
    expect(codeOf(await add(ana.token, { groupId, amountMinor: '1000', splitMode: 'EQUAL', shares: [{ userId: outsider.user.id }] }))).toBe('NOT_A_MEMBER');
    expect(codeOf(await add(ana.token, { groupId, amountMinor: '0', splitMode: 'EQUAL' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await add(ana.token, { groupId, amountMinor: '100', splitMode: 'EXACT' }))).toBe('BAD_USER_INPUT');
    expect((await server.ok(GroupExpensesDocument, { id: groupId }, { token: ana.token })).group.expenses.totalCount).toBe(0);
  });
});

describe('edits, deletes and retries', () => {
  it('keeps every version: a stale expectedVersion is CONFLICT and loses nothing', async () => {
    const groupId = await groupOf(server, ana, [ben]);
    const e = (await add(ana.token, { groupId, amountMinor: '1000', splitMode: 'EQUAL' })).data!.addGroupExpense;
    expect(e.version).toBe(1);
    const anaEdit = await server.ok(UpdateGroupExpenseDocument, { id: e.id, input: { amountMinor: '1200', expectedVersion: 1 } }, { token: ana.token });
    expect(anaEdit.updateGroupExpense).toMatchObject({ version: 2, amount: { minor: '1200' }, paidBy: [{ amount: { minor: '1200' } }] });
    expect(shareAmounts(anaEdit.updateGroupExpense).map(([, a]) => a)).toEqual(['600', '600']);
    // Ben edits what he saw (version 1): refused, Ana's edit stands.
    const stale = await server.gql(UpdateGroupExpenseDocument, { id: e.id, input: { description: 'Lunch', expectedVersion: 1 } }, { token: ben.token });
    expect(codeOf(stale)).toBe('CONFLICT');
    expect(stale.errors?.[0]?.extensions?.currentVersion).toBe(2);
    const benEdit = await server.ok(UpdateGroupExpenseDocument, { id: e.id, input: { description: 'Lunch', expectedVersion: 2 } }, { token: ben.token });
    expect(benEdit.updateGroupExpense).toMatchObject({ version: 3, description: 'Lunch', amount: { minor: '1200' } });
    expect(codeOf(await server.gql(DeleteGroupExpenseDocument, { id: e.id, expectedVersion: 2 }, { token: ana.token }))).toBe('CONFLICT');
    const deleted = (await server.ok(DeleteGroupExpenseDocument, { id: e.id, expectedVersion: 3 }, { token: ana.token })).deleteGroupExpense;
    expect(deleted).toMatchObject({ version: 4, deleted: true });
    expect(Object.fromEntries(await balancesOf(server, ana, groupId))).toEqual({ [ana.user.id]: 0n, [ben.user.id]: 0n });
    expect(codeOf(await server.gql(UpdateGroupExpenseDocument, { id: e.id, input: { description: 'x', expectedVersion: 4 } }, { token: ana.token }))).toBe(
      'CONFLICT',
    );
    const [versions] = await server.app.orm.em
      .fork()
      .execute<Array<{ n: string; list: string }>>(
        `select count(*)::text as n, string_agg("version"::text, ',' order by "version") as list from "group_expense_version" where "expense_id" = ?`,
        [e.id],
      );
    expect(versions).toEqual({ n: '3', list: '1,2,3' });
  });

  it('adds one expense for a retried clientRequestId, and refuses the key for another expense', async () => {
    const groupId = await groupOf(server, ana, [ben]);
    const input = { groupId, amountMinor: '700', splitMode: 'EQUAL' as const, clientRequestId: 'req-1' };
    const [first, second] = await Promise.all([add(ana.token, input), add(ana.token, input)]);
    expect(first.data!.addGroupExpense.id).toBe(second.data!.addGroupExpense.id);
    expect((await add(ana.token, input)).data!.addGroupExpense.id).toBe(first.data!.addGroupExpense.id);
    expect(codeOf(await add(ana.token, { ...input, amountMinor: '701' }))).toBe('IDEMPOTENCY_KEY_REUSED');
    // Another member's key is theirs.
    expect((await add(ben.token, input)).data!.addGroupExpense.id).not.toBe(first.data!.addGroupExpense.id);
    expect((await server.ok(GroupExpensesDocument, { id: groupId }, { token: ana.token })).group.expenses.totalCount).toBe(2);
  });

  it('reads balances and suggestions in the same number of statements for 2 expenses and for 30', async () => {
    const groupId = await groupOf(server, ana, [ben, cam]);
    const read = () => server.ok(GroupDocument, { id: groupId }, { token: ben.token });
    for (let i = 0; i < 2; i++) await add(ana.token, { groupId, amountMinor: String(100 + i), splitMode: 'EQUAL' });
    const few = await countStatements(server, read);
    for (let i = 0; i < 28; i++) await add(i % 2 ? ben.token : cam.token, { groupId, amountMinor: String(1000 + i), splitMode: 'EQUAL' });
    const many = await countStatements(server, read);
    expect(many).toBe(few);
    const pageFew = await countStatements(server, () => server.ok(GroupExpensesDocument, { id: groupId, first: 2 }, { token: ben.token }));
    const pageMany = await countStatements(server, () => server.ok(GroupExpensesDocument, { id: groupId, first: 30 }, { token: ben.token }));
    expect(pageMany).toBe(pageFew);
    const page = (await server.ok(GroupExpensesDocument, { id: groupId, first: 20 }, { token: ben.token })).group.expenses;
    const next = (await server.ok(GroupExpensesDocument, { id: groupId, first: 20, after: page.pageInfo.endCursor }, { token: ben.token })).group.expenses;
    expect(page.edges.length + next.edges.length).toBe(30);
    expect(next.pageInfo.hasNextPage).toBe(false);
  });
});

describe('balances kept per member', () => {
  it('are what the migration computes from the stored expenses, edits and deletes included', async () => {
    const groupId = await groupOf(server, ana, [ben, cam]);
    await add(ana.token, { groupId, amountMinor: '1000', splitMode: 'EQUAL' });
    const shared = (
      await add(ben.token, {
        groupId,
        amountMinor: '901',
        splitMode: 'SHARES',
        shares: [
          { userId: ana.user.id, value: '2' },
          { userId: cam.user.id, value: '1' },
        ],
      })
    ).data!.addGroupExpense;
    await server.ok(UpdateGroupExpenseDocument, { id: shared.id, input: { amountMinor: '1500', expectedVersion: 1 } }, { token: cam.token });
    const gone = (await add(cam.token, { groupId, amountMinor: '777', splitMode: 'EQUAL' })).data!.addGroupExpense;
    await server.ok(DeleteGroupExpenseDocument, { id: gone.id, expectedVersion: 1 }, { token: ana.token });
    const kept = Object.fromEntries(await balancesOf(server, cam, groupId));
    expect(kept).toEqual({ [ana.user.id]: 1000n - 334n - 1000n, [ben.user.id]: 1500n - 333n, [cam.user.id]: -333n - 500n });
    // As a database migrated from before the column: zeros, then the migration's statement.
    const sql = server.app.orm.em.getConnection();
    await sql.execute(`update "group_member" set "expense_balance" = 0 where "group_id" = ?`, [groupId]);
    expect(Object.values(Object.fromEntries(await balancesOf(server, cam, groupId)))).toEqual([0n, 0n, 0n]);
    await sql.execute(EXPENSE_BALANCES);
    expect(Object.fromEntries(await balancesOf(server, cam, groupId))).toEqual(kept);
  });
});

describe('one document, several writes', () => {
  it('reads the balances again after a write in the same document', async () => {
    const groupId = await groupOf(server, ana, [ben]);
    const doc = `mutation($input: GroupExpenseInput!, $id: ID!) {
      before: renameGroup(id: $id, name: "Flat") { balances { balance { minor } } }
      addGroupExpense(input: $input) { id }
      after: renameGroup(id: $id, name: "Flat") { balances { balance { minor } } }
    }`;
    const input = { groupId, description: 'Rent', amountMinor: '1000', occurredOn: DAY, splitMode: 'EQUAL' };
    const result = await server.gql<
      { before: { balances: Array<{ balance: { minor: string } }> }; after: { balances: Array<{ balance: { minor: string } }> } },
      Record<string, unknown>
    >(doc, { input, id: groupId }, { token: ana.token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.before.balances.map((b) => b.balance.minor)).toEqual(['0', '0']);
    expect(result.data!.after.balances.map((b) => b.balance.minor)).toEqual(['500', '-500']);
  });
});
