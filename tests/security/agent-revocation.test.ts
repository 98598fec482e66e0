import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRunDocument, ChangePasswordDocument, LoginDocument, LogoutAllDocument, SendMessageDocument } from '../generated/graphql.js';
import { createSession } from '../factories/chat.js';
import { registerUser, type TestUser } from '../factories/users.js';
import type { FakeOpenAi } from '../fakes/openai-server.js';
import { startScriptedServer } from '../helpers/scripted-llm.js';
import type { TestServer } from '../helpers/server.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { Topic, type AgentEventPayload } from '../../src/pubsub/topics.js';
import { createServices } from '../../src/services.js';

// A scripted OpenAI-compatible server: a run streams for ~12 s unless something stops it.
let fake: FakeOpenAi;
let server: TestServer;
beforeAll(async () => {
  ({ fake, server } = await startScriptedServer({ env: { SHUTDOWN_GRACE_MS: '500' } }));
});
afterAll(() => server?.stop());

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i + 1}`).join(' ');

/** Starts a long run and resolves once it streams; `finished` is its RunFinished event (within 5 s). */
async function startSlowRun(user: TestUser): Promise<{ runId: string; finished: Promise<AgentEventPayload<'RunFinished'>> }> {
  const session = await createSession(server, user.token, 'GENERAL');
  fake.script([[{ text: words(400), tokenDelayMs: 30 }]]);
  const runId = (await server.ok(SendMessageDocument, { input: { sessionId: session.id, text: 'tell me a long story' } }, { token: user.token })).sendMessage
    .id;
  // Watched in-process: the user's own sockets are closed by the very revocation under test.
  const events = server.app.deps.pubsub.subscribe(Topic.AGENT_RUN, runId);
  let streaming!: () => void;
  const started = new Promise<void>((resolve) => (streaming = resolve));
  const finished = (async () => {
    for await (const event of events) {
      if (event.type === 'TokenDelta') streaming();
      if (event.type === 'RunFinished') {
        await events.return?.();
        return event;
      }
    }
    throw new Error('the run ended without RunFinished');
  })();
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the run was not cancelled within 5 s')), 5_000).unref());
  await started;
  return { runId, finished: Promise.race([finished, timeout]) };
}

async function expectCancelled(user: TestUser, password: string, runId: string, finished: AgentEventPayload<'RunFinished'>, reason: RegExp): Promise<void> {
  expect(finished.data).toMatchObject({ status: 'CANCELLED', error: { code: 'REVOKED' } });
  expect(finished.data.error?.message).toMatch(reason);
  const token = (await server.ok(LoginDocument, { input: { username: user.user.username, password } })).login.accessToken;
  const run = (await server.ok(AgentRunDocument, { id: runId }, { token })).agentRun;
  expect(run.status).toBe('CANCELLED');
  expect(run.error).toMatchObject({ code: 'REVOKED' });
}

describe("a user's agent runs end with the user's sessions", () => {
  it('logoutAll cancels the running runs of the user (RunFinished CANCELLED, the reason in the error)', async () => {
    const user = await registerUser(server);
    const { runId, finished } = await startSlowRun(user);
    await server.ok(LogoutAllDocument, {}, { token: user.token });
    await expectCancelled(user, user.password, runId, await finished, /signed out/);
  });

  it('a password change cancels them', async () => {
    const user = await registerUser(server);
    const { runId, finished } = await startSlowRun(user);
    await server.ok(ChangePasswordDocument, { input: { currentPassword: user.password, newPassword: 'a-new-password-1' } }, { token: user.token });
    await expectCancelled(user, 'a-new-password-1', runId, await finished, /password was changed/);
  });

  it('a role change cancels them', async () => {
    const user = await registerUser(server);
    const { runId, finished } = await startSlowRun(user);
    await createServices(server.app.deps, server.app.orm.em.fork()).provisioning.changeRole(user.user.username, Role.OPERATOR);
    await expectCancelled(user, user.password, runId, await finished, /role was changed/);
  });

  it("leaves other users' runs running", async () => {
    const [user, bystander] = [await registerUser(server), await registerUser(server)];
    const theirs = await startSlowRun(bystander);
    const mine = await startSlowRun(user);
    await server.ok(LogoutAllDocument, {}, { token: user.token });
    expect((await mine.finished).data.status).toBe('CANCELLED');
    const run = (await server.ok(AgentRunDocument, { id: theirs.runId }, { token: bystander.token })).agentRun;
    expect(run.status).toBe('RUNNING');
    theirs.finished.catch(() => undefined);
  });
});
