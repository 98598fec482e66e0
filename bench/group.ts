import { fundedAccount, gql, inBatches, loginOperator, registerUser, type BenchUser } from './lib/client.js';
import type { BenchDatabase } from './lib/db.js';
import { startGateway } from './lib/gateway.js';
import type { BenchOutcome, Row } from './lib/results.js';
import { closedLoop, round, type LoopResult } from './lib/stats.js';

/*
 * A group's balances and suggested settlements over many expenses, read as the app reads a
 * group's page, beside the accounts query of the same user on the same gateway: the group query
 * aggregates over every expense in SQL, so its latency must stay near a plain read's however
 * long the group's history. The statement count at N and 2N expenses is the sql-count bench's
 * "group" row (constant in the number of expenses).
 */
const EXPENSES = Number(process.env.BENCH_GROUP_EXPENSES ?? 10_000);
const DURATION_S = Number(process.env.BENCH_GROUP_SECONDS ?? 10);
const WARMUP_S = Number(process.env.BENCH_GROUP_WARMUP_SECONDS ?? 2);
const CONCURRENCY = 16;

const ACCOUNTS = '{ accounts { name balance { decimal } } }';
const groupQuery = (id: string) =>
  `{ group(id: "${id}") { id myBalance { minor } balances { user { id } balance { minor } } suggestedSettlements { from { id } to { id } amount { minor } } } }`;

async function groupOfThree(url: string, owner: BenchUser, others: BenchUser[]): Promise<string> {
  const { createGroup } = await gql<{ createGroup: { id: string } }>(
    url,
    `mutation ($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
    { input: { name: 'Bench flat', currency: 'USD' } },
    owner.token,
  );
  for (const other of others) {
    const { inviteToGroup } = await gql<{ inviteToGroup: { id: string } }>(
      url,
      `mutation ($groupId: ID!, $username: String!) { inviteToGroup(groupId: $groupId, username: $username) { id } }`,
      { groupId: createGroup.id, username: other.username },
      owner.token,
    );
    await gql(url, `mutation ($id: ID!) { respondToInvitation(id: $id, accept: true) { id } }`, { id: inviteToGroup.id }, other.token);
  }
  return createGroup.id;
}

/** EXPENSES expenses, payers in turn, equal and by-shares splits alternating, amounts varied so the balances are uneven. */
async function fill(url: string, groupId: string, members: BenchUser[]): Promise<void> {
  await inBatches(
    Array.from({ length: EXPENSES }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const payer = members[i % members.length]!;
      const shares = i % 2 === 0 ? null : members.map((m, n) => ({ userId: m.id, value: String(n + 1) }));
      await gql(
        url,
        `mutation ($input: GroupExpenseInput!) { addGroupExpense(input: $input) { id } }`,
        {
          input: {
            groupId,
            description: `Expense ${i}`,
            amountMinor: String(500 + ((i * 7919) % 20_000)),
            occurredOn: `2026-${String(1 + (i % 11)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
            splitMode: shares ? 'SHARES' : 'EQUAL',
            ...(shares ? { shares } : {}),
          },
        },
        payer.token,
      );
    },
  );
}

async function measure(url: string, token: string, query: string): Promise<LoopResult> {
  const op = async () => {
    await gql(url, query, undefined, token);
  };
  await closedLoop(CONCURRENCY, WARMUP_S * 1000, op);
  return closedLoop(CONCURRENCY, DURATION_S * 1000, op);
}

export async function run({ db }: { db: BenchDatabase }): Promise<BenchOutcome> {
  const gateway = await startGateway({ databaseUrl: db.url, cpuProfName: 'group' });
  try {
    const op = await loginOperator(gateway.url);
    const members = [await registerUser(gateway.url, 'group'), await registerUser(gateway.url, 'group'), await registerUser(gateway.url, 'group')];
    const [viewer] = members as [BenchUser, ...BenchUser[]];
    for (const [i, name] of ['Checking', 'Savings', 'Travel'].entries()) await fundedAccount(gateway.url, viewer, op, 100_000 * (i + 1), name);
    const groupId = await groupOfThree(gateway.url, viewer, members.slice(1));
    const filling = performance.now();
    await fill(gateway.url, groupId, members);
    const fillSeconds = (performance.now() - filling) / 1000;
    const read = await gql<{ group: { balances: Array<{ balance: { minor: string } }>; suggestedSettlements: unknown[] } }>(
      gateway.url,
      groupQuery(groupId),
      undefined,
      viewer.token,
    );
    const sum = read.group.balances.reduce((s, b) => s + BigInt(b.balance.minor), 0n);
    if (sum !== 0n) throw new Error(`the group's balances sum to ${sum}, not zero`);
    // Interleaved twice, so a slower second half of the run does not fall on one query only; the worse of each counts.
    const accounts1 = await measure(gateway.url, viewer.token, ACCOUNTS);
    const group1 = await measure(gateway.url, viewer.token, groupQuery(groupId));
    const accounts2 = await measure(gateway.url, viewer.token, ACCOUNTS);
    const group2 = await measure(gateway.url, viewer.token, groupQuery(groupId));
    const worse = (a: LoopResult, b: LoopResult) => (a.p99 >= b.p99 ? a : b);
    const accounts = worse(accounts1, accounts2);
    const group = worse(group1, group2);
    const ratio = round(group.p99 / accounts.p99, 3);
    const errors = accounts1.errors + accounts2.errors + group1.errors + group2.errors;
    const g = (metric: string, rest: Omit<Row, 'bench' | 'metric'>): Row => ({ bench: 'group', metric, ...rest });
    const rows: Row[] = [
      g(`group p99 ms / accounts p99 ms (${EXPENSES} expenses, ${CONCURRENCY} clients)`, { value: String(group.p99), baseline: `${accounts.p99} accounts` }),
      g('group p99 ratio group/accounts', { value: String(ratio), goal: '<= 2', met: ratio <= 2 && errors === 0 }),
      g('group req/s / accounts req/s', { value: String(group.perSecond), baseline: `${accounts.perSecond} accounts` }),
      g('group errors', { value: String(errors), goal: '0', met: errors === 0 }),
    ];
    return {
      rows,
      charts: [
        { title: `p99 latency, group of ${EXPENSES} expenses`, unit: 'ms', higherIsBetter: false, series: { group: group.p99, accounts: accounts.p99 } },
      ],
      figures: {
        expenses: EXPENSES,
        fillSeconds: round(fillSeconds, 1),
        settlements: read.group.suggestedSettlements.length,
        accounts,
        group,
        runs: { accounts1, accounts2, group1, group2 },
      },
      notes: [
        `${EXPENSES} expenses added through addGroupExpense in ${round(fillSeconds, 1)} s; the SQL statement count of this query at N and 2N expenses is the sql-count bench's group row`,
      ],
    };
  } finally {
    await gateway.stop();
  }
}
