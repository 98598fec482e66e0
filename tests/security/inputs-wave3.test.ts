import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJar, setIncome } from '../factories/budget.js';
import { importDoc } from '../factories/import-doc.js';
import { deposit, key, loginOperator, OPERATOR_ENV, openAccount } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

let server: TestServer;
let user: TestUser;
let op: string;
let accountId: string;
let jarId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { ...OPERATOR_ENV, BODY_LIMIT_BYTES: '65536' } });
  user = await registerUser(server);
  op = await loginOperator(server);
  accountId = (await openAccount(server, user.token)).id;
  await setIncome(server, user.token, 100_000);
  jarId = (await createJar(server, user.token, 'Food', 1000)).id;
});
afterAll(() => server?.stop());

type Variables = Record<string, unknown>;
type Fields = Array<{ field: string; message: string }>;

const errorLogs = () => server.logs.filter((l) => Number(l.level) >= 50);

async function refused(query: string, variables: Variables, field: string, token = user.token): Promise<string> {
  const res = await server.gql(query, variables, { token });
  const what = `${query} ${JSON.stringify(variables).slice(0, 200)}: ${JSON.stringify(res.errors ?? res.data)}`;
  expect(
    res.errors?.map((e) => e.extensions?.code),
    what,
  ).toEqual(['BAD_USER_INPUT']);
  const fields = (res.errors![0]!.extensions?.fields ?? []) as Fields;
  expect(
    fields.map((f) => f.field),
    what,
  ).toContain(field);
  return fields.find((f) => f.field === field)!.message;
}

async function ok<T = Record<string, any>>(query: string, variables: Variables, token = user.token): Promise<T> {
  const res = await server.gql(query, variables, { token });
  expect(res.errors, query).toBeUndefined();
  return res.data as T;
}

const STATEMENT = 'query($id: ID!, $m: String!) { account(id: $id) { statement(month: $m) { month } } }';
const CARD_PAYMENTS = 'query($m: String) { cardPayments(month: $m) { totalCount } }';
const JAR_MONTH = 'query($id: ID!, $m: String!) { jar(id: $id) { month(month: $m) { month } } }';
const INSIGHTS = 'query($m: String!) { spendingInsights(month: $m, currency: "USD") { month } }';
const SAVE_DAY = 'mutation($input: DailyPlanInput!) { saveDailyPlan(input: $input) { date } }';
const ADD_ITEM = 'mutation($input: PlanItemInput!) { addPlanItem(input: $input) { id } }';
const UPDATE_ITEM = 'mutation($id: ID!, $input: UpdatePlanItemInput!) { updatePlanItem(id: $id, input: $input) { id } }';
const CREATE_GOAL = 'mutation($input: GoalInput!) { createGoal(input: $input) { id } }';
const UPDATE_GOAL = 'mutation($id: ID!, $input: UpdateGoalInput!) { updateGoal(id: $id, input: $input) { id } }';
const DELETE_GOAL = 'mutation($id: ID!) { deleteGoal(id: $id) }';
const SESSION = 'mutation($input: CreateChatSessionInput!) { createChatSession(input: $input) { id } }';
const CREATE_FEE = 'mutation($input: FeeInput!) { createFee(input: $input) { id } }';
const UPDATE_FEE = 'mutation($id: ID!, $input: UpdateFeeInput!) { updateFee(id: $id, input: $input) { id } }';
const WEEK = 'query($w: String!) { weeklyPlan(weekStart: $w) { weekStart days { date } } }';
const SAVE_WEEK = 'mutation($input: WeeklyPlanInput!) { saveWeeklyPlan(input: $input) { weekStart } }';
const fee = (patch: Variables = {}) => ({
  input: { name: 'Gym', amountMinor: '1000', currency: 'USD', cadence: 'MONTHLY', nextDueOn: '2026-12-01', ...patch },
});

describe('months and days outside 1970-9998', () => {
  it('answers BAD_USER_INPUT, not INTERNAL_SERVER_ERROR, for the month 9999-12 in every month argument', async () => {
    for (const month of ['9999-12', '9999-01', '1969-12', '0000-01']) {
      await refused(STATEMENT, { id: accountId, m: month }, 'month');
      await refused(CARD_PAYMENTS, { m: month }, 'month');
      await refused(JAR_MONTH, { id: jarId, m: month }, 'month');
      await refused(INSIGHTS, { m: month }, 'month');
    }
    const message = await refused(INSIGHTS, { m: '9999-12' }, 'month');
    expect(message).toMatch(/1970-01.*9998-12/);
    // The edges still answer.
    for (const month of ['1970-01', '9998-12']) {
      await ok(STATEMENT, { id: accountId, m: month });
      await ok(CARD_PAYMENTS, { m: month });
      await ok(JAR_MONTH, { id: jarId, m: month });
      await ok(INSIGHTS, { m: month });
    }
    expect(errorLogs()).toEqual([]);
  });

  it('refuses a day outside 1970-01-01..9998-12-31 in every date argument, with a message naming the range', async () => {
    const goal = (await ok(CREATE_GOAL, { input: { title: 'Run', horizon: 'MONTH' } })).createGoal.id as string;
    const item = (await ok(ADD_ITEM, { input: { date: '2026-05-04', title: 'Stretch' } })).addPlanItem.id as string;
    const feeId = (await ok(CREATE_FEE, fee())).createFee.id as string;
    for (const day of ['9999-12-27', '9999-01-01', '1969-12-31', '0001-01-01']) {
      const message = await refused(SAVE_DAY, { input: { date: day } }, 'date');
      expect(message).toMatch(/1970-01-01.*9998-12-31/);
      await refused(ADD_ITEM, { input: { date: day, title: 'x' } }, 'date');
      await refused(UPDATE_ITEM, { id: item, input: { date: day } }, 'date');
      await refused(CREATE_GOAL, { input: { title: 'Later', horizon: 'LONG_TERM', targetDate: day } }, 'targetDate');
      await refused(UPDATE_GOAL, { id: goal, input: { targetDate: day } }, 'targetDate');
      await refused(SESSION, { input: { context: { planDate: day } } }, 'context.planDate');
      await refused(CREATE_FEE, fee({ nextDueOn: day }), 'nextDueOn');
      await refused(UPDATE_FEE, { id: feeId, input: { nextDueOn: day } }, 'nextDueOn');
    }
    await ok(SAVE_DAY, { input: { date: '9998-12-31' } });
    await ok(SAVE_DAY, { input: { date: '1970-01-01' } });
    expect(errorLogs()).toEqual([]);
  });

  it('refuses weeklyPlan(weekStart: "9999-12-27") instead of answering days dated +010000', async () => {
    await refused(WEEK, { w: '9999-12-27' }, 'weekStart');
    await refused(SAVE_WEEK, { input: { weekStart: '9999-12-27' } }, 'weekStart');
    const week = (await ok(SAVE_WEEK, { input: { weekStart: '2026-05-04' } })).saveWeeklyPlan;
    expect(week.weekStart).toBe('2026-05-04');
  });
});

describe('a goal deleted while plan items are added to it', () => {
  it('answers NOT_FOUND to the additions that lose the race, never INTERNAL_SERVER_ERROR', async () => {
    for (let round = 0; round < 3; round++) {
      const goal = (await ok(CREATE_GOAL, { input: { title: `Race ${round}`, horizon: 'WEEK' } })).createGoal.id as string;
      const results = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) =>
          server.gql(ADD_ITEM, { input: { date: '2026-06-01', title: `item ${i}`, goalId: goal } }, { token: user.token }),
        ),
        server.gql(DELETE_GOAL, { id: goal }, { token: user.token }),
      ]);
      const codes = results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok');
      expect(codes.at(-1)).toBe('ok');
      expect(
        codes.every((c) => c === 'ok' || c === 'NOT_FOUND'),
        codes.join(),
      ).toBe(true);
    }
    expect(errorLogs()).toEqual([]);
  });
});

describe('names made of nothing visible, and control characters', () => {
  const HOSTILE = ['\u0001\u0007\u001b[31mred\r\n\t', '\u200b\u200d\ufeff', ' \u2060\u00ad ', 'Rent\u001b[2J'];
  const CASES: Array<{ name: string; query: string; variables: (s: string) => Variables; field: string; token?: () => string }> = [
    {
      name: 'jar',
      query: 'mutation($input: JarInput!) { createJar(input: $input) { id } }',
      variables: (s) => ({ input: { name: s, allocationBasisPoints: 0 } }),
      field: 'name',
    },
    {
      name: 'jar rename',
      query: 'mutation($id: ID!, $input: UpdateJarInput!) { updateJar(id: $id, input: $input) { id } }',
      variables: (s) => ({ id: jarId, input: { name: s } }),
      field: 'name',
    },
    {
      name: 'jar description',
      query: 'mutation($id: ID!, $input: UpdateJarInput!) { updateJar(id: $id, input: $input) { id } }',
      variables: (s) => ({ id: jarId, input: { description: `ok${s}` } }),
      field: 'description',
    },
    { name: 'fee', query: CREATE_FEE, variables: (s) => fee({ name: s }), field: 'name' },
    {
      name: 'account',
      query: 'mutation($input: OpenAccountInput!) { openAccount(input: $input) { id } }',
      variables: (s) => ({ input: { name: s, currency: 'USD' } }),
      field: 'name',
    },
    {
      name: 'account rename',
      query: 'mutation($id: ID!, $n: String!) { renameAccount(id: $id, name: $n) { id } }',
      variables: (s) => ({ id: accountId, n: s }),
      field: 'name',
    },
    {
      name: 'transfer description',
      query: 'mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id } }',
      variables: (s) => ({
        input: { fromAccountId: accountId, toAccountId: accountId, amountMinor: '1', currency: 'USD', idempotencyKey: key(), description: `rent${s}` },
      }),
      field: 'description',
    },
  ];

  it('refuses them in jar, fee, account names and descriptions with BAD_USER_INPUT naming the field', async () => {
    for (const c of CASES) {
      for (const s of HOSTILE.filter((h) => !c.name.includes('description') || /\p{Cc}/u.test(h))) {
        const message = await refused(c.query, c.variables(s), c.field);
        expect(message, c.name).toMatch(/control character|visible/);
      }
    }
    expect(errorLogs()).toEqual([]);
  });

  it('refuses a control character in a merchant name', async () => {
    const account = await openAccount(server, user.token);
    await deposit(server, op, account.id, 10_000);
    const card = (await ok('mutation($input: IssueCardInput!) { issueCard(input: $input) { id } }', { input: { accountId: account.id, kind: 'VIRTUAL' } }))
      .issueCard.id;
    const pay = (merchant: string) => ({
      input: { cardId: card, merchant, merchantCategoryCode: '5411', amountMinor: '100', currency: 'USD', idempotencyKey: key() },
    });
    const PAY = 'mutation($input: RecordCardPaymentInput!) { recordCardPayment(input: $input) { status } }';
    for (const s of HOSTILE) await refused(PAY, pay(s), 'merchant', op);
    expect((await ok(PAY, pay('Café Ünïcode 🌊'), op)).recordCardPayment.status).toBe('APPROVED');
  });

  it('refuses a control character in a deposit description', async () => {
    const account = await openAccount(server, user.token);
    const DEPOSIT = 'mutation($input: DepositInput!) { recordDeposit(input: $input) { status } }';
    const dep = (description: string) => ({ input: { accountId: account.id, amountMinor: '100', currency: 'USD', description, idempotencyKey: key() } });
    for (const s of ['\u0001\u0007\u001b[31mred', 'Rent\u001b[2J']) await refused(DEPOSIT, dep(s), 'description', op);
    expect((await ok(DEPOSIT, dep('Salary\n\tDecember'), op)).recordDeposit.status).toBe('POSTED');
  });

  it('keeps tab and newline in a description where a line break makes sense, and names with inner spaces', async () => {
    await ok('mutation($id: ID!, $input: UpdateJarInput!) { updateJar(id: $id, input: $input) { id } }', {
      id: jarId,
      input: { description: 'weekly shop\n\tand markets' },
    });
    const jar = await ok('mutation($input: JarInput!) { createJar(input: $input) { name } }', { input: { name: 'Eating out 🍜', allocationBasisPoints: 0 } });
    expect(jar.createJar.name).toBe('Eating out 🍜');
  });
});

describe('archived jars and closed accounts', () => {
  it('refuses a fee paid from an archived jar, on create and on update', async () => {
    const archived = (await createJar(server, user.token, `Old ${key().slice(0, 6)}`, 0)).id;
    await ok('mutation($id: ID!) { archiveJar(id: $id) { id } }', { id: archived });
    await refused(CREATE_FEE, fee({ jarId: archived }), 'jarId');
    const feeId = (await ok(CREATE_FEE, fee())).createFee.id as string;
    await refused(UPDATE_FEE, { id: feeId, input: { jarId: archived } }, 'jarId');
    await ok(CREATE_FEE, fee({ jarId }));
  });

  it('refuses to link a goal to a closed account with ACCOUNT_CLOSED', async () => {
    const closed = (await openAccount(server, user.token)).id;
    await ok('mutation($id: ID!) { closeAccount(id: $id) { id } }', { id: closed });
    const create = await server.gql(CREATE_GOAL, { input: { title: 'Save', horizon: 'YEAR', targetMinor: '5000', accountId: closed } }, { token: user.token });
    expect(create.errors?.map((e) => e.extensions?.code)).toEqual(['ACCOUNT_CLOSED']);
    const goal = (await ok(CREATE_GOAL, { input: { title: 'Save', horizon: 'YEAR', targetMinor: '5000', currency: 'USD' } })).createGoal.id;
    const update = await server.gql(UPDATE_GOAL, { id: goal, input: { accountId: closed } }, { token: user.token });
    expect(update.errors?.map((e) => e.extensions?.code)).toEqual(['ACCOUNT_CLOSED']);
  });
});

describe('time zones, message ids and re-imports', () => {
  it('stores the canonical IANA name of a time zone typed in another case', async () => {
    const other = await registerUser(server);
    const res = await ok(
      'mutation($input: UpdatePreferencesInput!) { updatePreferences(input: $input) { timeZone } }',
      { input: { timeZone: 'america/new_york' } },
      other.token,
    );
    expect(res.updatePreferences.timeZone).toBe('America/New_York');
    const read = await ok('{ preferences { timeZone } }', {}, other.token);
    expect(read.preferences.timeZone).toBe('America/New_York');
  });

  it('answers IDEMPOTENCY_KEY_REUSED to the same clientMessageId with another text, and the first run to the same text', async () => {
    const other = await registerUser(server);
    const session = (await ok(SESSION, { input: {} }, other.token)).createChatSession.id;
    const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }';
    const first = (await ok(SEND, { input: { sessionId: session, text: 'hello', clientMessageId: 'c-1' } }, other.token)).sendMessage.id;
    const again = (await ok(SEND, { input: { sessionId: session, text: 'hello', clientMessageId: 'c-1' } }, other.token)).sendMessage.id;
    expect(again).toBe(first);
    const reused = await server.gql(SEND, { input: { sessionId: session, text: 'something else', clientMessageId: 'c-1' } }, { token: other.token });
    expect(reused.errors?.map((e) => e.extensions?.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it("doubles nothing when one's own export is imported again, chat sessions and their messages included", async () => {
    const other = await registerUser(server);
    const session = (i: number) => ({
      title: `Session ${i}`,
      conversationType: i % 2 ? 'JOURNALING' : 'GENERAL',
      archived: false,
      metadata: {},
      createdAt: `2026-01-0${i + 1}T00:00:00Z`,
      updatedAt: `2026-01-0${i + 1}T00:00:00Z`,
      messages: [
        { role: 'USER', content: `hi ${i}`, createdAt: `2026-01-0${i + 1}T00:00:00Z` },
        { role: 'ASSISTANT', content: `hello ${i}`, createdAt: `2026-01-0${i + 1}T00:00:01Z` },
      ],
      draft: i % 2 ? { sections: [] } : null,
    });
    const seed = {
      ...importDoc(),
      chatSessions: [0, 1, 2].map(session),
      journalEntries: [{ title: 'Day one', sections: [{ name: 'Mood', content: 'fine' }], createdAt: '2026-01-02T00:00:00Z', chatSession: 1 }],
      goals: [
        {
          title: 'Run a 10k',
          description: null,
          horizon: 'MONTH',
          status: 'ACTIVE',
          priority: 'HIGH',
          targetDate: '2026-02-01',
          targetMinor: null,
          currency: null,
          account: null,
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
      plans: {
        weeks: [],
        days: [{ date: '2026-01-05', summary: null, items: [{ title: 'Jog', notes: null, status: 'TODO', priority: 'MEDIUM', time: '07:00', goal: 0 }] }],
      },
    };
    const IMPORT = 'mutation($data: JSON!) { importMyData(data: $data) { chatSessions messages journalEntries goals planItems } }';
    await ok(IMPORT, { data: seed }, other.token);
    const COUNTS = `{ chatSessions(first: 10, includeArchived: true) { totalCount edges { node { messages(first: 10) { totalCount } } } }
      journalEntries { totalCount } goals { totalCount } dailyPlan(date: "2026-01-05") { items { id } } }`;
    const counts = async () => {
      const d = await ok(COUNTS, {}, other.token);
      return {
        sessions: d.chatSessions.totalCount,
        messages: d.chatSessions.edges.reduce((n: number, e: any) => n + e.node.messages.totalCount, 0),
        entries: d.journalEntries.totalCount,
        goals: d.goals.totalCount,
        items: d.dailyPlan.items.length,
      };
    };
    const before = await counts();
    expect(before).toEqual({ sessions: 3, messages: 6, entries: 1, goals: 1, items: 1 });
    const exported = (await ok('{ exportMyData }', {}, other.token)).exportMyData;
    const summary = (await ok(IMPORT, { data: exported }, other.token)).importMyData;
    expect(summary).toMatchObject({ chatSessions: 0, messages: 0, journalEntries: 0, goals: 0, planItems: 0 });
    expect(await counts()).toEqual(before);
  });
});

describe('a WebSocket message over the size limit', () => {
  it('closes with 1009 and logs a warning without a stack, not an error', async () => {
    const socket = new WebSocket(server.app.wsUrl, 'graphql-transport-ws');
    socket.on('error', () => {});
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(100_000) } }));
    expect(await closed).toBe(1009);
    await until(() => server.logs.some((l) => /too large|too big/i.test(String(l.msg))), { what: 'the warning' });
    const line = server.logs.find((l) => /too large|too big/i.test(String(l.msg)))!;
    expect(Number(line.level)).toBe(40);
    expect(JSON.stringify(line)).not.toMatch(/\bat \S+ \(/);
    expect(errorLogs()).toEqual([]);
  });
});
