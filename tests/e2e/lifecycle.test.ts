import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AgentRunDocument,
  CreateChatSessionDocument,
  LoginDocument,
  MeDocument,
  RegisterDocument,
  SendMessageDocument,
} from '../generated/graphql.js';
import { startFakeOpenAi } from '../fakes/openai-server.js';

interface Running {
  child: ChildProcess;
  url: string;
  output: string[];
  exit: Promise<number | null>;
}

/** `npm start` minus the build: the real entry point, its own embedded database on disk. */
async function startGateway(dataDir: string, bcryptCost = '4', extraEnv: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      PORT: '0',
      DATA_DIR: dataDir,
      JWT_SECRET: 'lifecycle-secret-that-is-long-enough-1234',
      BCRYPT_COST: bcryptCost,
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output.join('')}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then((code) => reject(new Error(`gateway exited with ${code}:\n${output.join('')}`)));
  });
  return { child, url, output, exit };
}

async function gql(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the gateway process', () => {
  it('starts on the embedded database with demo data, drains on SIGTERM, and keeps its data across a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'coach-lifecycle-'));
    dirs.push(dataDir);

    // bcrypt at cost 12 makes a login slow enough to be in flight when SIGTERM arrives.
    const first = await startGateway(dataDir, '12');
    expect(first.output.join('')).toContain('database: embedded PGlite at');
    const demo = await gql(first.url, print(LoginDocument), { input: { username: 'demo', password: 'demo-password-1' } });
    expect(demo.data?.login.user.username).toBe('demo');
    const registered = await gql(first.url, print(RegisterDocument), {
      input: { username: 'keeps_data', email: null, password: 'password-keeps-1' },
    });
    expect(registered.errors).toBeUndefined();
    const token = registered.data?.register.accessToken as string;

    const inFlight = gql(first.url, print(LoginDocument), { input: { username: 'keeps_data', password: 'password-keeps-1' } });
    await new Promise((r) => setTimeout(r, 40));
    first.child.kill('SIGTERM');
    expect((await inFlight).data?.login.user.username).toBe('keeps_data');
    expect(await first.exit).toBe(0);
    expect(first.output.join('')).toContain('"msg":"stopped"');

    const second = await startGateway(dataDir);
    try {
      expect(second.output.join('')).not.toContain('applied 1 migration');
      // Same secret, same database: the access token issued before the restart still works.
      const me = await gql(second.url, print(MeDocument), {}, token);
      expect(me.data?.me.username).toBe('keeps_data');
      const login = await gql(second.url, print(LoginDocument), { input: { username: 'keeps_data', password: 'password-keeps-1' } });
      expect(login.errors).toBeUndefined();
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    }
  }, 120_000);

  it('ends a run left RUNNING by a killed process as FAILED (INTERRUPTED) at the next start, freeing the session', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'coach-crash-'));
    dirs.push(dataDir);
    const fake = await startFakeOpenAi();
    const env = { LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl };
    try {
      const first = await startGateway(dataDir, '4', env);
      const reg = await gql(first.url, print(RegisterDocument), { input: { username: 'crashy', email: null, password: 'password-crash-1' } });
      const token = reg.data?.register.accessToken as string;
      const session = await gql(first.url, print(CreateChatSessionDocument), { input: { conversationType: 'GENERAL' } }, token);
      const sessionId = session.data?.createChatSession.id as string;
      fake.script([[{ text: Array.from({ length: 500 }, (_, i) => `w${i}`).join(' '), tokenDelayMs: 50 }]]);
      const sent = await gql(first.url, print(SendMessageDocument), { input: { sessionId, text: 'long please' } }, token);
      const runId = sent.data?.sendMessage.id as string;
      for (let i = 0; fake.sentAt.length < 5; i++) {
        if (i > 200) throw new Error('the provider never started streaming');
        await new Promise((r) => setTimeout(r, 20));
      }
      first.child.kill('SIGKILL');
      await first.exit;

      const second = await startGateway(dataDir, '4', env);
      try {
        expect(second.output.join('')).toContain('FAILED (INTERRUPTED)');
        const run = await gql(second.url, print(AgentRunDocument), { id: runId }, token);
        expect(run.data?.agentRun).toMatchObject({ status: 'FAILED', error: { code: 'INTERRUPTED' } });
        fake.script([[{ text: 'I am back.' }]]);
        const again = await gql(second.url, print(SendMessageDocument), { input: { sessionId, text: 'still there?' } }, token);
        expect(again.errors).toBeUndefined();
      } finally {
        second.child.kill('SIGTERM');
        expect(await second.exit).toBe(0);
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
