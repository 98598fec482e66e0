import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentRunDocument, CreateChatSessionDocument, LoginDocument, MeDocument, RegisterDocument, SendMessageDocument } from '../generated/graphql.js';
import { startFakeOpenAi } from '../fakes/openai-server.js';
import { killGatewayProcesses, startGatewayProcess, type GatewayProcess } from '../helpers/process.js';
import { scriptedLlmEnv } from '../helpers/scripted-llm.js';
import { until } from '../helpers/wait.js';

/** `npm start` minus the build: the real entry point, its own embedded database on disk, the gateway's own rate limits. */
function startGateway(dataDir: string, bcryptCost = '4', extraEnv: Record<string, string> = {}): Promise<GatewayProcess> {
  return startGatewayProcess(
    { JWT_SECRET: 'lifecycle-secret-that-is-long-enough-1234', BCRYPT_COST: bcryptCost, SEED_DEMO: 'true', ...extraEnv },
    { dataDir, suiteRateLimits: false },
  );
}

/** SIGTERM, then the exit code. */
async function stopped(gateway: GatewayProcess): Promise<number | null> {
  await gateway.stop();
  return gateway.exit;
}

const dirs: string[] = [];
afterAll(async () => {
  killGatewayProcesses();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the gateway process', () => {
  it('starts on the embedded database with demo data, drains on SIGTERM, and keeps its data across a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'coach-lifecycle-'));
    dirs.push(dataDir);

    // bcrypt at cost 12 makes a login slow enough to be in flight when SIGTERM arrives.
    const first = await startGateway(dataDir, '12');
    expect(first.output()).toContain('database: embedded PGlite at');
    const demo = await first.gql(LoginDocument, { input: { username: 'demo', password: 'demo-password-1' } });
    expect(demo.data?.login.user.username).toBe('demo');
    const registered = await first.gql(RegisterDocument, {
      input: { username: 'keeps_data', email: null, password: 'password-keeps-1' },
    });
    expect(registered.errors).toBeUndefined();
    const token = registered.data?.register.accessToken as string;

    const inFlight = first.gql(LoginDocument, { input: { username: 'keeps_data', password: 'password-keeps-1' } });
    // A pause, not a wait for state: nothing outside the process shows the login inside its resolver
    // (src/db/orm.ts runs MikroORM with debug off, so even LOG_LEVEL=debug prints no SQL).
    await new Promise((r) => setTimeout(r, 40));
    first.child.kill('SIGTERM');
    expect((await inFlight).data?.login.user.username).toBe('keeps_data');
    expect(await first.exit).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');

    const second = await startGateway(dataDir);
    try {
      expect(second.output()).not.toContain('applied 1 migration');
      // Same secret, same database: the access token issued before the restart still works.
      const me = await second.gql(MeDocument, {}, { token });
      expect(me.data?.me.username).toBe('keeps_data');
      const login = await second.gql(LoginDocument, { input: { username: 'keeps_data', password: 'password-keeps-1' } });
      expect(login.errors).toBeUndefined();
    } finally {
      expect(await stopped(second)).toBe(0);
    }
  }, 120_000);

  it('ends a run left RUNNING by a killed process as FAILED (INTERRUPTED) at the next start, freeing the session', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'coach-crash-'));
    dirs.push(dataDir);
    const fake = await startFakeOpenAi();
    const env = scriptedLlmEnv(fake);
    try {
      const first = await startGateway(dataDir, '4', env);
      const reg = await first.gql(RegisterDocument, { input: { username: 'crashy', email: null, password: 'password-crash-1' } });
      const token = reg.data?.register.accessToken as string;
      const session = await first.gql(CreateChatSessionDocument, { input: { conversationType: 'GENERAL' } }, { token });
      const sessionId = session.data?.createChatSession.id as string;
      fake.script([[{ text: Array.from({ length: 500 }, (_, i) => `w${i}`).join(' '), tokenDelayMs: 50 }]]);
      const sent = await first.gql(SendMessageDocument, { input: { sessionId, text: 'long please' } }, { token });
      const runId = sent.data?.sendMessage.id as string;
      await until(() => fake.sentAt.length >= 5, { what: 'the provider to start streaming' });
      first.child.kill('SIGKILL');
      await first.exit;

      const second = await startGateway(dataDir, '4', env);
      try {
        expect(second.output()).toContain('FAILED (INTERRUPTED)');
        const run = await second.gql(AgentRunDocument, { id: runId }, { token });
        expect(run.data?.agentRun).toMatchObject({ status: 'FAILED', error: { code: 'INTERRUPTED' } });
        fake.script([[{ text: 'I am back.' }]]);
        const again = await second.gql(SendMessageDocument, { input: { sessionId, text: 'still there?' } }, { token });
        expect(again.errors).toBeUndefined();
      } finally {
        expect(await stopped(second)).toBe(0);
      }
    } finally {
      await fake.close();
    }
  }, 120_000);

  it('drains agent runs on SIGTERM: not ready, new runs refused, a short run finishes, a long one is cancelled at the grace period', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'coach-drain-'));
    dirs.push(dataDir);
    const fake = await startFakeOpenAi();
    const env = { ...scriptedLlmEnv(fake), SHUTDOWN_GRACE_MS: '2000' };
    const short = 'one two three four five six seven eight';
    const long = Array.from({ length: 500 }, (_, i) => `w${i}`).join(' ');
    try {
      const first = await startGateway(dataDir, '4', env);
      const reg = await first.gql(RegisterDocument, { input: { username: 'drainer', email: null, password: 'password-drain-1' } });
      const token = reg.data?.register.accessToken as string;
      const newSession = async () =>
        (await first.gql(CreateChatSessionDocument, { input: { conversationType: 'GENERAL' } }, { token })).data?.createChatSession.id as string;
      const [shortSession, longSession, lateSession] = [await newSession(), await newSession(), await newSession()];
      fake.script([[{ text: short, tokenDelayMs: 100 }], [{ text: long, tokenDelayMs: 50 }]]);
      const send = (sessionId: string) => first.gql(SendMessageDocument, { input: { sessionId, text: 'go' } }, { token });
      const shortRun = (await send(shortSession)).data?.sendMessage.id as string;
      await until(() => fake.sentAt.some((c) => c.kind === 'text'), { timeoutMs: 10_000, what: 'the short run to stream' });
      const longRun = (await send(longSession)).data?.sendMessage.id as string;
      await until(() => new Set(fake.sentAt.filter((c) => c.kind === 'text').map((c) => c.request)).size === 2, {
        timeoutMs: 10_000,
        what: 'the long run to stream',
      });

      const signalled = Date.now();
      first.child.kill('SIGTERM');
      const readyz = first.url.replace('/graphql', '/readyz');
      await until(async () => (await fetch(readyz)).status === 503, { timeoutMs: 10_000, what: '/readyz to answer 503' });
      const late = await send(lateSession);
      expect(late.errors?.[0]).toMatchObject({ extensions: { code: 'UNAVAILABLE' } });
      expect(await first.exit).toBe(0);
      // The grace period, not the long run's 25 s, bounds the stop.
      expect(Date.now() - signalled).toBeLessThan(15_000);

      const second = await startGateway(dataDir, '4', env);
      try {
        expect(second.output()).not.toContain('FAILED (INTERRUPTED)');
        const runOf = async (id: string) => (await second.gql(AgentRunDocument, { id }, { token })).data?.agentRun;
        expect(await runOf(shortRun)).toMatchObject({ status: 'SUCCEEDED', assistantMessage: { content: short } });
        const cancelled = await runOf(longRun);
        expect(cancelled?.status).toBe('CANCELLED');
        const partial = cancelled?.assistantMessage?.content as string;
        expect(partial.length).toBeGreaterThan(0);
        expect(long.startsWith(partial)).toBe(true);
        expect(partial.length).toBeLessThan(long.length);
      } finally {
        expect(await stopped(second)).toBe(0);
      }
    } finally {
      await fake.close();
    }
  }, 120_000);

  it('stops with a message naming the bad variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be a whole number');
    expect(stderr).toContain('JWT_SECRET is required when NODE_ENV=production');
  }, 30_000);
});
