import { spawn, type ChildProcess } from 'node:child_process';
import { gatewayClients } from './client.js';
import { SUITE_RATE_LIMITS, type Gateway } from './server.js';

/** A gateway in a process of its own (`src/main.ts` under tsx), as a deployment runs it. */
export interface GatewayProcess extends Gateway {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  /** Everything the process printed so far. */
  output(): string;
}

const children = new Set<ChildProcess>();

export interface GatewayProcessOptions {
  /** DATA_DIR: the embedded database on disk there, kept across restarts (tests/e2e/lifecycle.test.ts). */
  dataDir?: string;
  /** false: the gateway's own rate limits, not the suite's raised ones. */
  suiteRateLimits?: boolean;
  /** A built entry to run with plain node (dist/bundle/main.js, as `npm start` does) instead of src/main.ts under tsx. */
  entry?: string;
}

/**
 * Starts `node --import tsx src/main.ts` on port 0 with the suite's defaults under `env`,
 * and resolves once it logged the address it listens on. stop() sends SIGTERM and waits.
 * Only PATH is inherited: no DATABASE_URL unless `env` names one.
 */
export async function startGatewayProcess(env: Record<string, string>, options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, options.entry ? [options.entry] : ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: 'process-test-secret-that-is-long-enough-42',
      BCRYPT_COST: '4',
      LOG_LEVEL: 'info',
      SEED_DEMO: 'false',
      ...(options.suiteRateLimits === false ? {} : SUITE_RATE_LIMITS),
      ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => (children.delete(child), resolve(code))));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway process did not start:\n${output}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then((code) => reject(new Error(`the gateway process exited (${String(code)}) before listening:\n${output}`)));
  });
  const metricsUrl = url.replace(/\/graphql$/, '/metrics');
  const subscriberCount = async () => {
    const text = await (await fetch(metricsUrl)).text();
    const line = /^coach_pubsub_subscriptions(?:\{[^}]*\})? (\d+)/m.exec(text);
    if (!line) throw new Error('coach_pubsub_subscriptions is missing from /metrics');
    return Number(line[1]);
  };
  const { disposeClients, ...client } = gatewayClients(url, url.replace(/^http/, 'ws'), subscriberCount);
  return {
    ...client,
    child,
    exit,
    output: () => output,
    async stop() {
      await disposeClients();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** For afterAll: kills whatever is still running (a failed test may leave one). */
export function killGatewayProcesses(): void {
  for (const child of children) child.kill('SIGKILL');
}
