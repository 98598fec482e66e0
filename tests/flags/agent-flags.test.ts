import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FeatureFlagsDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { converse } from '../helpers/agent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'coach-agent-flags-'));
const file = join(dir, 'flags.json');

let fake: FakeOpenAi;
let server: TestServer;
/** ai and the card tools off for `offline`; the money and card tools off for `noMoney`; `everything` keeps the defaults. */
let offline: TestUser;
let noMoney: TestUser;
let everything: TestUser;

const offFor = (user: TestUser) => ({ enabled: true, rules: [{ users: [user.user.id], enabled: false }] });
const enabled = async (user: TestUser, key: string) =>
  (await server.ok(FeatureFlagsDocument, {}, { token: user.token })).featureFlags.find((f) => f.key === key)?.enabled;

beforeAll(async () => {
  writeFileSync(file, JSON.stringify({ flags: {} }));
  fake = await startFakeOpenAi();
  server = await startTestServer({ env: { LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'scripted-model', FLAGS_FILE: file } });
  [offline, noMoney, everything] = await Promise.all([registerUser(server), registerUser(server), registerUser(server)]);
  writeFileSync(
    file,
    JSON.stringify({
      flags: {
        ai: offFor(offline),
        'tools.money': offFor(noMoney),
        'tools.cards': { enabled: true, rules: [{ users: [noMoney.user.id, offline.user.id], enabled: false }] },
      },
    }),
  );
  await until(async () => (await enabled(noMoney, 'tools.cards')) === false, { what: 'the flags file', timeoutMs: 10_000 });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  expect(fake.pending()).toBe(0);
  fake.reset();
});

const offeredTools = () => (fake.requests.at(-1)?.tools ?? []).map((t) => t.function.name);

describe('flags in the agent', () => {
  it('answers with the local assistant when ai is off for the user, and never asks the configured provider', async () => {
    const run = await converse(server, offline.token, (await createSession(server, offline.token, 'GENERAL')).id, 'hello');
    expect(run.run).toMatchObject({ status: 'SUCCEEDED', provider: 'local', model: 'rule-based-v1' });
    expect(run.run.attempts.map((a) => [a.provider, a.outcome])).toEqual([['local', 'SERVED']]);
    expect(fake.requests).toHaveLength(0);
    // The local assistant's list of what it can do leaves out the switched-off card tools.
    expect(run.text).toContain('show your balances');
    expect(run.text).not.toMatch(/card/i);

    const other = await converse(server, everything.token, (await createSession(server, everything.token, 'GENERAL')).id, 'hello');
    expect(other.run).toMatchObject({ provider: 'openai', model: 'scripted-model' });
    expect(fake.requests).toHaveLength(1);
  });

  it('does not offer the model a tool family whose flag is off, and refuses a call to one with FEATURE_DISABLED', async () => {
    await converse(server, everything.token, (await createSession(server, everything.token, 'GENERAL')).id, 'hello');
    expect(offeredTools()).toEqual(expect.arrayContaining(['list_accounts', 'list_cards', 'budget_overview']));

    fake.script([[{ toolCall: { id: 'call_1', name: 'list_accounts', arguments: '{}' } }], [{ text: 'I cannot read your accounts here.' }]]);
    const run = await converse(server, noMoney.token, (await createSession(server, noMoney.token, 'GENERAL')).id, 'what are my accounts?');
    const offered = (fake.requests[1]?.tools ?? []).map((t) => t.function.name);
    expect(offered).toEqual(expect.arrayContaining(['budget_overview', 'list_goals']));
    for (const name of ['list_accounts', 'recent_transactions', 'monthly_summary', 'list_cards', 'card_spending']) expect(offered).not.toContain(name);
    expect(run.of('ToolCallFinished')).toMatchObject([{ tool: 'list_accounts', ok: false, result: { error: { code: 'FEATURE_DISABLED' } } }]);
    expect(run.run.status).toBe('SUCCEEDED');
  });
});
