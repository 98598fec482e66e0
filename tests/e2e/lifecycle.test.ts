import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, RegisterDocument } from '../generated/graphql.js';

interface Running {
  child: ChildProcess;
  url: string;
  output: string[];
  exit: Promise<number | null>;
}

/** `npm start` minus the build: the real entry point, its own embedded database on disk. */
async function startGateway(dataDir: string, bcryptCost = '4'): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      PORT: '0',
      DATA_DIR: dataDir,
      JWT_SECRET: 'lifecycle-secret-that-is-long-enough-1234',
      BCRYPT_COST: bcryptCost,
      LOG_LEVEL: 'info',
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
