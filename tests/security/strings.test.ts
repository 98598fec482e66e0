import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../factories/chat.js';
import { key, openAccount } from '../factories/ledger.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { importDoc } from '../factories/import-doc.js';

let server: TestServer;
let user: TestUser;
let checking: string;
let savings: string;
let journaling: string;
let general: string;

interface Case {
  name: string;
  query: string;
  variables: (bad: string) => Record<string, unknown>;
  /** The field extensions.fields must name: the argument or input field, not the variable. */
  field: string;
  anonymous?: boolean;
}

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }';
const REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }';
const OPEN = 'mutation($input: OpenAccountInput!) { openAccount(input: $input) { id } }';
const TRANSFER = 'mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id } }';
const SESSION = 'mutation($input: CreateChatSessionInput!) { createChatSession(input: $input) { id } }';
const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }';
const TEMPLATE = 'mutation($input: SaveTemplateInput!) { saveTemplate(input: $input) { id } }';
const DRAFT = 'mutation($input: UpdateDraftInput!) { updateDraft(input: $input) { sessionId } }';
const PREFS = 'mutation($input: UpdatePreferencesInput!) { updatePreferences(input: $input) { purposeStatement } }';
const IMPORT = 'mutation($data: JSON!) { importMyData(data: $data) { chatSessions } }';

const transfer = (patch: Record<string, unknown>) => ({
  input: { fromAccountId: checking, toAccountId: savings, amountMinor: '1', currency: 'USD', idempotencyKey: key(), ...patch },
});

/** Every string input the hostile sweep found ending in INTERNAL_SERVER_ERROR, and their neighbours. */
const CASES: Case[] = [
  { name: 'login username', query: LOGIN, variables: (s) => ({ input: { username: `demo${s}`, password: 'whatever-1' } }), field: 'username', anonymous: true },
  { name: 'login password', query: LOGIN, variables: (s) => ({ input: { username: 'demo', password: `pw${s}` } }), field: 'password', anonymous: true },
  {
    name: 'register username',
    query: REGISTER,
    variables: (s) => ({ input: { username: `new${s}`, password: 'password-123' } }),
    field: 'username',
    anonymous: true,
  },
  {
    name: 'register email',
    query: REGISTER,
    variables: (s) => ({ input: { username: `new_${key().slice(0, 8)}`, email: `a${s}@example.com`, password: 'password-123' } }),
    field: 'email',
    anonymous: true,
  },
  {
    name: 'refreshSession token',
    query: 'mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
    variables: (s) => ({ t: `tok${s}` }),
    field: 'refreshToken',
    anonymous: true,
  },
  { name: 'openAccount name', query: OPEN, variables: (s) => ({ input: { name: `Pot${s}`, currency: 'USD' } }), field: 'name' },
  { name: 'openAccount currency', query: OPEN, variables: (s) => ({ input: { name: 'Pot', currency: `US${s}` } }), field: 'currency' },
  {
    name: 'renameAccount name',
    query: 'mutation($id: ID!, $name: String!) { renameAccount(id: $id, name: $name) { id } }',
    variables: (s) => ({ id: checking, name: `Main${s}` }),
    field: 'name',
  },
  { name: 'createTransfer description', query: TRANSFER, variables: (s) => transfer({ description: `rent${s}` }), field: 'description' },
  { name: 'createTransfer idempotencyKey', query: TRANSFER, variables: (s) => transfer({ idempotencyKey: `k${s}` }), field: 'idempotencyKey' },
  {
    name: 'createTransfer toAccountNumber',
    query: TRANSFER,
    variables: (s) => transfer({ toAccountId: null, toAccountNumber: `CG${s}` }),
    field: 'toAccountNumber',
  },
  { name: 'createChatSession title', query: SESSION, variables: (s) => ({ input: { title: `Today${s}` } }), field: 'title' },
  { name: 'createChatSession metadata value', query: SESSION, variables: (s) => ({ input: { metadata: { note: `x${s}` } } }), field: 'metadata' },
  { name: 'createChatSession metadata key', query: SESSION, variables: (s) => ({ input: { metadata: { [`k${s}`]: 1 } } }), field: 'metadata' },
  {
    name: 'renameChatSession title',
    query: 'mutation($id: ID!, $t: String!) { renameChatSession(id: $id, title: $t) { id } }',
    variables: (s) => ({ id: general, t: `T${s}` }),
    field: 'title',
  },
  { name: 'sendMessage text', query: SEND, variables: (s) => ({ input: { sessionId: general, text: `hello${s}` } }), field: 'text' },
  {
    name: 'sendMessage clientMessageId',
    query: SEND,
    variables: (s) => ({ input: { sessionId: general, text: 'hello', clientMessageId: `c${s}` } }),
    field: 'clientMessageId',
  },
  {
    name: 'journalEntries search',
    query: 'query($q: String) { journalEntries(search: $q) { totalCount } }',
    variables: (s) => ({ q: `sad${s}` }),
    field: 'search',
  },
  {
    name: 'statement month',
    query: 'query($id: ID!, $m: String!) { account(id: $id) { statement(month: $m) { month } } }',
    variables: (s) => ({ id: checking, m: `2026-01${s}` }),
    field: 'month',
  },
  {
    name: 'saveTemplate name',
    query: TEMPLATE,
    variables: (s) => ({ input: { name: `T${s}`, sections: [{ name: 'Wins', description: 'd' }] } }),
    field: 'name',
  },
  {
    name: 'saveTemplate section name',
    query: TEMPLATE,
    variables: (s) => ({ input: { name: 'T', sections: [{ name: `Wins${s}`, description: 'd' }] } }),
    field: 'sections[0].name',
  },
  {
    name: 'saveTemplate section description',
    query: TEMPLATE,
    variables: (s) => ({ input: { name: 'T', sections: [{ name: 'Wins', description: `d${s}` }] } }),
    field: 'sections[0].description',
  },
  {
    name: 'saveTemplate section alias',
    query: TEMPLATE,
    variables: (s) => ({ input: { name: 'T', sections: [{ name: 'Wins', description: 'd', aliases: [`w${s}`] }] } }),
    field: 'sections[0].aliases[0]',
  },
  {
    name: 'updateDraft section name',
    query: DRAFT,
    variables: (s) => ({ input: { sessionId: journaling, sections: [{ name: `Mood${s}`, content: 'ok' }] } }),
    field: 'sections[0].name',
  },
  {
    name: 'updateDraft section content',
    query: DRAFT,
    variables: (s) => ({ input: { sessionId: journaling, sections: [{ name: 'Mood', content: `ok${s}` }] } }),
    field: 'sections[0].content',
  },
  { name: 'updatePreferences purposeStatement', query: PREFS, variables: (s) => ({ input: { purposeStatement: `calm${s}` } }), field: 'purposeStatement' },
  { name: 'updatePreferences longTermGoals', query: PREFS, variables: (s) => ({ input: { longTermGoals: [`sleep${s}`] } }), field: 'longTermGoals[0]' },
  { name: 'updatePreferences knownChallenges', query: PREFS, variables: (s) => ({ input: { knownChallenges: [`phone${s}`] } }), field: 'knownChallenges[0]' },
  {
    name: 'updatePreferences glossary term',
    query: PREFS,
    variables: (s) => ({ input: { personalGlossary: [{ term: `t${s}`, definition: 'd' }] } }),
    field: 'personalGlossary[0].term',
  },
  {
    name: 'updatePreferences glossary definition',
    query: PREFS,
    variables: (s) => ({ input: { personalGlossary: [{ term: 't', definition: `d${s}` }] } }),
    field: 'personalGlossary[0].definition',
  },
  { name: 'importMyData session title', query: IMPORT, variables: (s) => ({ data: importDoc({ title: `T${s}` }) }), field: 'data' },
  {
    name: 'importMyData message content',
    query: IMPORT,
    variables: (s) => ({ data: importDoc({ messages: [{ role: 'USER', content: `hi${s}`, createdAt: '2026-01-01T00:00:00Z' }] }) }),
    field: 'data',
  },
  { name: 'importMyData metadata', query: IMPORT, variables: (s) => ({ data: importDoc({ metadata: { note: `x${s}` } }) }), field: 'data' },
  {
    name: 'importMyData preferences',
    query: IMPORT,
    variables: (s) => ({ data: importDoc({}, { preferences: { ...importDoc().preferences, purposeStatement: `p${s}` } }) }),
    field: 'data',
  },
  {
    name: 'importMyData template',
    query: IMPORT,
    variables: (s) => ({ data: importDoc({}, { templates: [{ name: `T${s}`, active: true, sections: [{ name: 'A', description: '', aliases: [] }] }] }) }),
    field: 'data',
  },
];

beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
  checking = (await openAccount(server, user.token)).id;
  savings = (await openAccount(server, user.token)).id;
  journaling = (await createSession(server, user.token, 'JOURNALING')).id;
  general = (await createSession(server, user.token, 'GENERAL')).id;
});
afterAll(() => server?.stop());

async function expectRefused(c: Case, bad: string) {
  const res = await server.gql(c.query, c.variables(bad), c.anonymous ? {} : { token: user.token });
  const what = `${c.name}: ${JSON.stringify(res.errors ?? res.data)}`;
  expect(
    res.errors?.map((e) => e.extensions?.code),
    what,
  ).toEqual(['BAD_USER_INPUT']);
  const fields = (res.errors![0]!.extensions?.fields ?? []) as Array<{ field: string }>;
  expect(
    fields.map((f) => f.field),
    what,
  ).toContain(c.field);
}

const errorLogs = () => server.logs.filter((l) => Number(l.level) >= 50);

describe('strings PostgreSQL cannot store', () => {
  it(`refuses a NUL byte in every string input with BAD_USER_INPUT naming the field (${CASES.length} cases)`, async () => {
    for (const c of CASES) await expectRefused(c, '\u0000');
    expect(errorLogs()).toEqual([]);
  });

  it('refuses a lone surrogate in the same inputs, JSON-stored ones and the email included', async () => {
    for (const c of CASES) await expectRefused(c, '\ud800');
    for (const c of CASES.filter((c) => c.name.includes('metadata') || c.name.includes('import'))) await expectRefused(c, '\udfff');
    expect(errorLogs()).toEqual([]);
  });

  it('still accepts a well-formed surrogate pair (an emoji) where text is free-form', async () => {
    const res = await server.gql(SESSION, { input: { title: 'Today 🌊', metadata: { mood: '🌊' } } }, { token: user.token });
    expect(res.errors).toBeUndefined();
  });
});

describe('blank keys and texts, and currency codes', () => {
  it('refuses a whitespace-only idempotency key', async () => {
    await expectRefused({ name: 'blank key', query: TRANSFER, variables: () => transfer({ idempotencyKey: '   ' }), field: 'idempotencyKey' }, '');
  });

  it('refuses a whitespace-only message text and client message id', async () => {
    await expectRefused({ name: 'blank text', query: SEND, variables: () => ({ input: { sessionId: general, text: ' \n\t ' } }), field: 'text' }, '');
    await expectRefused(
      {
        name: 'blank client id',
        query: SEND,
        variables: () => ({ input: { sessionId: general, text: 'hi', clientMessageId: '  ' } }),
        field: 'clientMessageId',
      },
      '',
    );
  });

  it('does not read "ınr" (dotless ı) as INR, while "inr" still is', async () => {
    await expectRefused({ name: 'dotless', query: OPEN, variables: () => ({ input: { name: 'Rupees', currency: 'ınr' } }), field: 'currency' }, '');
    const ok = await server.ok<{ openAccount: { id: string } }, unknown>(
      'mutation($input: OpenAccountInput!) { openAccount(input: $input) { id balance { currency } } }',
      { input: { name: 'Rupees', currency: 'inr' } },
      { token: user.token },
    );
    expect(ok.openAccount).toMatchObject({ balance: { currency: 'INR' } });
  });
});
