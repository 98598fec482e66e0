import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSession } from '../factories/chat.js';
import { registerUser, type TestUser } from '../factories/users.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic-server.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { converse } from '../helpers/agent.js';
import { describeNeeding } from '../helpers/components.js';
import { chainEnv } from '../helpers/llm.js';
import { redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// Cooldown keys are named by provider: names of this file's own keep other runs of it (and other files) apart.
const suffix = randomBytes(4).toString('hex');
const names = { primary: `primary${suffix}`, backup: `backup${suffix}` };

let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let a: TestServer;
let b: TestServer;
let user: TestUser;

describeNeeding(await redisMissing(), 'provider cooldowns shared by two instances through Redis', () => {
  beforeAll(async () => {
    [openai, anthropic] = await Promise.all([startFakeOpenAi(), startFakeAnthropic()]);
    const env = {
      ...chainEnv(openai.baseUrl, anthropic.baseUrl, names),
      REDIS_URL: TEST_REDIS_URL,
      LLM_COOLDOWN_FAILURES: '2',
      LLM_COOLDOWN_WINDOW_SECONDS: '60',
      LLM_COOLDOWN_SECONDS: '60',
      SHUTDOWN_GRACE_MS: '500',
    };
    a = await startTestServer({ env: { ...env, INSTANCE_ID: 'cool-a' } });
    b = await startTestServer({ env: { ...env, INSTANCE_ID: 'cool-b' }, databaseUrl: a.app.databaseUrl });
    user = await registerUser(a);
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await Promise.all([openai?.close(), anthropic?.close()]);
  });

  it('rests a provider that failed N times on one instance, and the other instance skips it as SKIPPED_COOLING_DOWN', async () => {
    openai.script([[{ status: 503 }], [{ status: 503 }]]);
    const first = await converse(a, user.token, (await createSession(a, user.token, 'GENERAL')).id, 'hello');
    expect(first.run).toMatchObject({ status: 'SUCCEEDED', provider: names.backup });
    expect(first.run.attempts.map((t) => [t.provider, t.outcome, t.errorCode])).toEqual([
      [names.primary, 'FAILED', 'UNAVAILABLE'],
      [names.primary, 'FAILED', 'UNAVAILABLE'],
      [names.backup, 'SERVED', null],
    ]);
    expect(a.logs.some((l) => String(l.msg).includes(`${names.primary} is cooling down`))).toBe(true);

    // Served by the primary if it were asked: it is not.
    openai.script([[{ text: 'primary answer' }]]);
    const second = await converse(b, user.token, (await createSession(b, user.token, 'GENERAL')).id, 'hello again');
    expect(second.run).toMatchObject({ status: 'SUCCEEDED', provider: names.backup });
    expect(second.run.attempts.map((t) => [t.provider, t.outcome, t.latencyMs])).toEqual([
      [names.primary, 'SKIPPED_COOLING_DOWN', 0],
      [names.backup, 'SERVED', expect.any(Number)],
    ]);
    // Skipping is not falling over: no provider failed this run.
    expect(second.of('ProviderFallback')).toEqual([]);
    expect(openai.requests).toHaveLength(2);
    expect(openai.pending()).toBe(1);
    const metrics = await (await fetch(a.app.metricsUrl!)).text();
    expect(metrics).toMatch(new RegExp(`coach_llm_cooldowns_total\\{[^}]*provider="${names.primary}"[^}]*\\} 1`));
  });
});
