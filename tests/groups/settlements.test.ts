import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddGroupExpenseDocument,
  CancelTransferDocument,
  ConfirmTransferDocument,
  DeleteGroupExpenseDocument,
  GroupDocument,
  GroupEventsDocument,
  GroupExpensesDocument,
  GroupSettlementsDocument,
  LeaveGroupDocument,
  RecordOutsideSettlementDocument,
  SettleUpDocument,
  UpdateGroupExpenseDocument,
} from '../generated/graphql.js';
import { balancesOf, groupOf } from '../factories/groups.js';
import { balanceOf, deposit, loginOperator, openAccount, OPERATOR_ENV } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { codeOf } from '../helpers/errors.js';
import { ledgerViolations } from '../helpers/ledger.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/subscriptions.js';

let server: TestServer;
let op: string;
beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV }, maintenance: false });
  op = await loginOperator(server);
});
afterAll(() => server?.stop());

const DAY = '2026-12-01';
const equal = (groupId: string, amountMinor: string, shares?: TestUser[]) => ({
  groupId,
  description: 'Groceries',
  amountMinor,
  occurredOn: DAY,
  splitMode: 'EQUAL' as const,
  ...(shares ? { shares: shares.map((u) => ({ userId: u.user.id })) } : {}),
});
const users = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(server)));
const sum = (m: Map<string, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);

describe('settling up through the ledger', () => {
  it('proposes a transfer, and confirmTransfer posts it and marks the settlement SETTLED at once; money is conserved', async () => {
    const [ana, ben] = await users(2);
    const anaAccount = await openAccount(server, ana!.token);
    const benAccount = await openAccount(server, ben!.token);
    await deposit(server, op, benAccount.id, 10_000);
    const groupId = await groupOf(server, ana!, [ben!]);
    await server.ok(AddGroupExpenseDocument, { input: equal(groupId, '3000') }, { token: ana!.token });
    const events = await server.subscribed(() => collect(server.ws(ana!.token), GroupEventsDocument, { groupId }));

    const settlement = (
      await server.ok(
        SettleUpDocument,
        { input: { groupId, toUserId: ana!.user.id, amountMinor: '1500', fromAccountId: benAccount.id } },
        { token: ben!.token },
      )
    ).settleUp;
    expect(settlement).toMatchObject({ status: 'PROPOSED', amount: { minor: '1500', currency: 'USD' }, transfer: { status: 'PENDING_CONFIRMATION' } });
    // Proposed moves nothing.
    expect((await balancesOf(server, ana!, groupId)).get(ben!.user.id)).toBe(-1500n);
    // Only the payer confirms: the payee and strangers get NOT_FOUND.
    expect(codeOf(await server.gql(ConfirmTransferDocument, { id: settlement.transfer!.id }, { token: ana!.token }))).toBe('NOT_FOUND');
    const [first, second] = await Promise.all([
      server.gql(ConfirmTransferDocument, { id: settlement.transfer!.id }, { token: ben!.token }),
      server.gql(ConfirmTransferDocument, { id: settlement.transfer!.id }, { token: ben!.token }),
    ]);
    expect([first.data?.confirmTransfer.status, second.data?.confirmTransfer.status]).toEqual(['POSTED', 'POSTED']);

    expect(Object.fromEntries(await balancesOf(server, ben!, groupId))).toEqual({ [ana!.user.id]: 0n, [ben!.user.id]: 0n });
    const listed = (await server.ok(GroupSettlementsDocument, { id: groupId }, { token: ana!.token })).group.settlements;
    expect(listed.totalCount).toBe(1);
    expect(listed.edges[0]!.node).toMatchObject({ id: settlement.id, status: 'SETTLED', transfer: { id: settlement.transfer!.id, status: 'POSTED' } });
    expect(await balanceOf(server, ana!.token, anaAccount.id)).toBe('1500');
    expect(await balanceOf(server, ben!.token, benAccount.id)).toBe('8500');
    expect(await ledgerViolations(server.app)).toEqual([]);
    const seen = await events.waitFor(2);
    expect(seen.map((e) => [e.groupEvents.kind, e.groupEvents.settlement?.status])).toEqual([
      ['SETTLEMENT_PROPOSED', 'PROPOSED'],
      ['SETTLED', 'SETTLED'],
    ]);
    events.stop();
  });

  it('shows a settlement whose transfer is cancelled as CANCELLED, and balances never move', async () => {
    const [ana, ben] = await users(2);
    await openAccount(server, ana!.token);
    const benAccount = await openAccount(server, ben!.token);
    const groupId = await groupOf(server, ana!, [ben!]);
    await server.ok(AddGroupExpenseDocument, { input: equal(groupId, '1000') }, { token: ana!.token });
    const s = (
      await server.ok(SettleUpDocument, { input: { groupId, toUserId: ana!.user.id, amountMinor: '500', fromAccountId: benAccount.id } }, { token: ben!.token })
    ).settleUp;
    // Neither may leave while the proposal may still post.
    await server.ok(RecordOutsideSettlementDocument, { groupId, fromUserId: ben!.user.id, amountMinor: '500' }, { token: ana!.token });
    expect(codeOf(await server.gql(LeaveGroupDocument, { id: groupId }, { token: ben!.token }))).toBe('BALANCE_NOT_ZERO');
    expect(codeOf(await server.gql(LeaveGroupDocument, { id: groupId }, { token: ana!.token }))).toBe('BALANCE_NOT_ZERO');
    await server.ok(CancelTransferDocument, { id: s.transfer!.id }, { token: ben!.token });
    const listed = (await server.ok(GroupSettlementsDocument, { id: groupId }, { token: ben!.token })).group.settlements;
    expect(listed.edges.find((e) => e.node.id === s.id)!.node).toMatchObject({ status: 'CANCELLED', transfer: { status: 'CANCELLED' } });
    // The payee never sees a transfer that did not post.
    const payee = (await server.ok(GroupSettlementsDocument, { id: groupId }, { token: ana!.token })).group.settlements;
    expect(payee.edges.find((e) => e.node.id === s.id)!.node).toMatchObject({ status: 'CANCELLED', transfer: null });
    expect((await balancesOf(server, ana!, groupId)).get(ben!.user.id)).toBe(0n);
    expect((await server.ok(LeaveGroupDocument, { id: groupId }, { token: ben!.token })).leaveGroup).toBe(true);
  });

  it('finds the transfer by its key when the proposal’s reply was lost, and still settles when it posts', async () => {
    const [ana, ben] = await users(2);
    await openAccount(server, ana!.token);
    const benAccount = await openAccount(server, ben!.token);
    await deposit(server, op, benAccount.id, 1_000);
    const groupId = await groupOf(server, ana!, [ben!]);
    await server.ok(AddGroupExpenseDocument, { input: equal(groupId, '1000') }, { token: ana!.token });
    const s = (
      await server.ok(SettleUpDocument, { input: { groupId, toUserId: ana!.user.id, amountMinor: '500', fromAccountId: benAccount.id } }, { token: ben!.token })
    ).settleUp;
    // As if the gateway stopped between the proposal's commit and linking it.
    await server.app.orm.em.fork().execute(`update "group_settlement" set "transfer_id" = null where "id" = ?`, [s.id]);
    const listed = (await server.ok(GroupSettlementsDocument, { id: groupId }, { token: ben!.token })).group.settlements;
    expect(listed.edges[0]!.node).toMatchObject({ status: 'PROPOSED', transfer: { id: s.transfer!.id, status: 'PENDING_CONFIRMATION' } });
    await server.ok(ConfirmTransferDocument, { id: s.transfer!.id }, { token: ben!.token });
    expect((await server.ok(GroupSettlementsDocument, { id: groupId }, { token: ana!.token })).group.settlements.edges[0]!.node).toMatchObject({
      status: 'SETTLED',
      transfer: { id: s.transfer!.id, status: 'POSTED' },
    });
    expect((await balancesOf(server, ana!, groupId)).get(ben!.user.id)).toBe(0n);
  });

  it('needs an open account of the payee in the group currency (SETTLEMENT_ACCOUNT_MISSING) and the payer’s own account (NOT_FOUND)', async () => {
    const [ana, ben, eve] = await users(3);
    await openAccount(server, ana!.token, 'EUR');
    const benAccount = await openAccount(server, ben!.token);
    const eveAccount = await openAccount(server, eve!.token);
    const groupId = await groupOf(server, ana!, [ben!]);
    const input = { groupId, toUserId: ana!.user.id, amountMinor: '100', fromAccountId: benAccount.id };
    expect(codeOf(await server.gql(SettleUpDocument, { input }, { token: ben!.token }))).toBe('SETTLEMENT_ACCOUNT_MISSING');
    await openAccount(server, ana!.token);
    expect(codeOf(await server.gql(SettleUpDocument, { input: { ...input, fromAccountId: eveAccount.id } }, { token: ben!.token }))).toBe('NOT_FOUND');
    expect(codeOf(await server.gql(SettleUpDocument, { input: { ...input, toUserId: eve!.user.id } }, { token: ben!.token }))).toBe('NOT_A_MEMBER');
    expect(codeOf(await server.gql(SettleUpDocument, { input }, { token: eve!.token }))).toBe('NOT_FOUND');
    expect((await server.ok(GroupSettlementsDocument, { id: groupId }, { token: ana!.token })).group.settlements.totalCount).toBe(0);
  });
});

describe('payments outside the gateway', () => {
  it('are recorded only by the member who was paid', async () => {
    const [ana, ben] = await users(2);
    const groupId = await groupOf(server, ana!, [ben!]);
    await server.ok(AddGroupExpenseDocument, { input: equal(groupId, '1000') }, { token: ana!.token });
    // Ben cannot say he paid Ana.
    expect(codeOf(await server.gql(RecordOutsideSettlementDocument, { groupId, fromUserId: ben!.user.id, amountMinor: '500' }, { token: ben!.token }))).toBe(
      'FORBIDDEN',
    );
    expect((await balancesOf(server, ana!, groupId)).get(ben!.user.id)).toBe(-500n);
    const s = (await server.ok(RecordOutsideSettlementDocument, { groupId, fromUserId: ben!.user.id, amountMinor: '500' }, { token: ana!.token }))
      .recordOutsideSettlement;
    expect(s).toMatchObject({ status: 'SETTLED', from: { id: ben!.user.id }, to: { id: ana!.user.id }, transfer: null });
    expect(Object.fromEntries(await balancesOf(server, ben!, groupId))).toEqual({ [ana!.user.id]: 0n, [ben!.user.id]: 0n });
  });
});

describe('suggested settlements', () => {
  it('settle everyone, and paying one leaves the others exactly as they were', async () => {
    const [a, b, c, d] = await users(4);
    const groupId = await groupOf(server, a!, [b!, c!, d!]);
    await server.ok(AddGroupExpenseDocument, { input: equal(groupId, '12000') }, { token: a!.token });
    await server.ok(AddGroupExpenseDocument, { input: equal(groupId, '3000', [b!, c!]) }, { token: d!.token });
    const before = (await server.ok(GroupDocument, { id: groupId }, { token: b!.token })).group.suggestedSettlements;
    expect(before.length).toBeGreaterThan(1);
    expect(before.length).toBeLessThanOrEqual(3);
    for (const [i, paid] of before.entries()) {
      const payee = [a, b, c, d].find((u) => u!.user.id === paid.to.id)!;
      await server.ok(RecordOutsideSettlementDocument, { groupId, fromUserId: paid.from.id, amountMinor: paid.amount.minor }, { token: payee.token });
      const after = (await server.ok(GroupDocument, { id: groupId }, { token: b!.token })).group.suggestedSettlements;
      expect(after).toEqual(before.slice(i + 1));
    }
    expect([...(await balancesOf(server, a!, groupId)).values()]).toEqual([0n, 0n, 0n, 0n]);
  });
});

describe('invariants', () => {
  it('keeps balances summing to zero after every step of a random workload', async () => {
    const members = await users(5);
    const groupId = await groupOf(server, members[0]!, members.slice(1));
    let seed = 27;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with a short period.
      return Math.floor((seed / 2 ** 31) * n);
    };
    const modes = ['EQUAL', 'EXACT', 'PERCENT', 'SHARES'] as const;
    const live: Array<{ id: string; version: number }> = [];
    const kinds = new Set<string>();
    for (let step = 0; step < 40; step++) {
      const actor = members[random(5)]!;
      const amount = 1 + random(100_000);
      const mode = modes[random(4)]!;
      const sharers = members.filter(() => random(3) > 0);
      if (sharers.length === 0) sharers.push(actor);
      let shares: Array<{ userId: string; value?: string }> | undefined = sharers.map((u) => ({ userId: u.user.id }));
      if (mode === 'EXACT') {
        let left = amount;
        shares = sharers.map((u, i) => {
          const value = i === sharers.length - 1 ? left : random(left + 1);
          left -= value;
          return { userId: u.user.id, value: String(value) };
        });
      } else if (mode === 'PERCENT') {
        let left = 10_000;
        shares = sharers.map((u, i) => {
          const value = i === sharers.length - 1 ? left : random(left + 1);
          left -= value;
          return { userId: u.user.id, value: String(value) };
        });
      } else if (mode === 'SHARES') shares = sharers.map((u, i) => ({ userId: u.user.id, value: String(i === 0 ? 1 + random(5) : random(5)) }));
      if (random(4) === 0) {
        const balances = await balancesOf(server, actor, groupId);
        const debtor = members.find((u) => u !== actor && balances.get(u.user.id)! < 0n);
        if (debtor)
          await server.ok(
            RecordOutsideSettlementDocument,
            { groupId, fromUserId: debtor.user.id, amountMinor: String(1 + random(1000)) },
            { token: actor.token },
          );
      } else if (live.length > 0 && random(3) === 0) {
        const i = random(live.length);
        const target = live[i]!;
        if (random(2) === 0) {
          const edited = (
            await server.ok(
              UpdateGroupExpenseDocument,
              {
                id: target.id,
                input: {
                  amountMinor: String(amount),
                  splitMode: 'EQUAL',
                  shares: sharers.map((u) => ({ userId: u.user.id })),
                  expectedVersion: target.version,
                },
              },
              { token: actor.token },
            )
          ).updateGroupExpense;
          target.version = edited.version;
          kinds.add('edit');
        } else {
          await server.ok(DeleteGroupExpenseDocument, { id: target.id, expectedVersion: target.version }, { token: actor.token });
          live.splice(i, 1);
          kinds.add('delete');
        }
      } else {
        const added = (
          await server.ok(AddGroupExpenseDocument, { input: { ...equal(groupId, String(amount)), splitMode: mode, shares } }, { token: actor.token })
        ).addGroupExpense;
        live.push({ id: added.id, version: added.version });
        kinds.add(mode);
      }
      const balances = await balancesOf(server, members[random(5)]!, groupId);
      expect(sum(balances), `step ${step}`).toBe(0n);
    }
    // The workload did exercise every kind of step.
    expect([...kinds].sort()).toEqual(['EQUAL', 'EXACT', 'PERCENT', 'SHARES', 'delete', 'edit']);
    // The balances kept per member equal what the history says, summed here from the expenses
    // and settlements as listed: paid minus owed over the expenses not deleted, plus settled payments.
    const viewer = members[0]!;
    const expected = new Map(members.map((u) => [u.user.id, 0n]));
    const move = (id: string, by: bigint) => expected.set(id, expected.get(id)! + by);
    const listed = (await server.ok(GroupExpensesDocument, { id: groupId, first: 100 }, { token: viewer.token })).group.expenses;
    expect(listed.pageInfo.hasNextPage).toBe(false);
    for (const { node } of listed.edges.filter((e) => !e.node.deleted)) {
      for (const p of node.paidBy) move(p.user.id, BigInt(p.amount.minor));
      for (const x of node.shares) move(x.user.id, -BigInt(x.amount.minor));
    }
    const settled = (await server.ok(GroupSettlementsDocument, { id: groupId }, { token: viewer.token })).group.settlements;
    for (const { node } of settled.edges.filter((e) => e.node.status === 'SETTLED')) {
      move(node.from.id, BigInt(node.amount.minor));
      move(node.to.id, -BigInt(node.amount.minor));
    }
    expect(settled.edges.some((e) => e.node.status === 'SETTLED')).toBe(true);
    expect(Object.fromEntries(await balancesOf(server, viewer, groupId))).toEqual(Object.fromEntries(expected));
  });

  it('stays consistent with 20 members adding, editing and settling at once', async () => {
    const members = await users(20);
    const groupId = await groupOf(server, members[0]!, members.slice(1));
    const accounts = await Promise.all(members.map((u) => openAccount(server, u.token)));
    await Promise.all(accounts.map((a) => deposit(server, op, a.id, 100_000)));
    const shared = (await server.ok(AddGroupExpenseDocument, { input: equal(groupId, '20000') }, { token: members[0]!.token })).addGroupExpense;
    const results = await Promise.all(
      members.map(async (u, i) => {
        await server.ok(AddGroupExpenseDocument, { input: equal(groupId, String(1000 + i)) }, { token: u.token });
        const edit = await server.gql(
          UpdateGroupExpenseDocument,
          { id: shared.id, input: { description: `edit by ${i}`, expectedVersion: 1 } },
          { token: u.token },
        );
        const to = members[(i + 1) % 20]!;
        const s = (
          await server.ok(
            SettleUpDocument,
            { input: { groupId, toUserId: to.user.id, amountMinor: '100', fromAccountId: accounts[i]!.id } },
            { token: u.token },
          )
        ).settleUp;
        await Promise.all([
          server.gql(ConfirmTransferDocument, { id: s.transfer!.id }, { token: u.token }),
          server.gql(ConfirmTransferDocument, { id: s.transfer!.id }, { token: u.token }),
        ]);
        return edit;
      }),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT').length).toBe(19);
    const balances = await balancesOf(server, members[3]!, groupId);
    expect(sum(balances)).toBe(0n);
    const settlements = (await server.ok(GroupSettlementsDocument, { id: groupId }, { token: members[5]!.token })).group.settlements;
    expect(settlements.totalCount).toBe(20);
    expect(settlements.edges.every((e) => e.node.status === 'SETTLED')).toBe(true);
    // The viewer sees the transfers of the two settlements they took part in, not the others'.
    expect(settlements.edges.filter((e) => e.node.transfer !== null).length).toBe(2);
    const em = server.app.orm.em.fork();
    const [chain] = await em.execute<Array<{ broken: string }>>(
      `select count(*)::text as broken from "group_expense" e
        where e."group_id" = ? and (select count(*) from "group_expense_version" v where v."expense_id" = e."id") <> e."version" - 1`,
      [groupId],
    );
    expect(chain!.broken).toBe('0');
    const [posted] = await em.execute<Array<{ n: string }>>(
      `select count(*)::text as n from "transfer" t join "group_settlement" s on s."transfer_id" = t."id" where s."group_id" = ? and t."status" = 'POSTED'`,
      [groupId],
    );
    expect(posted!.n).toBe('20');
    expect(await ledgerViolations(server.app)).toEqual([]);
  });
});
