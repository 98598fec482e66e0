import { spawn, type ChildProcess } from 'node:child_process';

/** The sandbox aggregator in a process of its own (`npm run sandbox-bank`'s entry under tsx), on a free port. */
export interface SandboxBankProcess {
  url: string;
  env: { AGGREGATOR_URL: string; AGGREGATOR_CLIENT_ID: string; AGGREGATOR_SECRET: string; AGGREGATOR_WEBHOOK_SECRET: string };
  /** POSTs a JSON body to a route (an API call or a /sandbox/* control) and returns status and JSON. */
  post(path: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export const SANDBOX_KEYS = { AGGREGATOR_CLIENT_ID: 'test-client', AGGREGATOR_SECRET: 'test-secret', AGGREGATOR_WEBHOOK_SECRET: 'test-webhook-secret' };

export async function startSandboxBankProcess(): Promise<SandboxBankProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'sandbox-bank/main.ts'], {
    env: { PATH: process.env.PATH, SANDBOX_BANK_PORT: '0', ...SANDBOX_KEYS },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox bank did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  return {
    url,
    env: { AGGREGATOR_URL: url, ...SANDBOX_KEYS },
    async post(path, body) {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async stop() {
      child.kill('SIGTERM');
      await exit;
    },
  };
}
