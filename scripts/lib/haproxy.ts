// Debian's haproxy running deploy/haproxy.cfg, the file compose mounts, with loopback addresses
// in its variables: the balancer of `npm run fleet` and of tests/fleet/balancer.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const HAPROXY_CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'haproxy.cfg');
/** The server names deploy/haproxy.cfg gives the two replicas. */
export const BALANCED = ['gateway-1', 'gateway-2'] as const;
export type Balanced = (typeof BALANCED)[number];

/** `haproxy -v`'s first line, or undefined when haproxy is not installed. */
export function haproxyVersion(): string | undefined {
  const result = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.split('\n')[0] : undefined;
}

/** A port free now on 127.0.0.1 (the kernel's choice), for a process that must be told its port before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface BalancerOptions {
  port: number;
  /** host:port of gateway-1 and gateway-2. */
  gateways: readonly [string, string];
  statsSocket: string;
  /** Health check interval: an instance is out after two failed checks. */
  checkIntervalMs: number;
  logLevel?: string;
  /** Where haproxy's output goes besides output(): the fleet script passes it through. */
  onOutput?: (chunk: string) => void;
}

export interface Balancer {
  url: string;
  wsUrl: string;
  /** Resolves with the exit code once haproxy exits. */
  exit: Promise<number | null>;
  output(): string;
  /** Each server's status as `show stat` reports it: UP, DOWN, "UP 1/2" (failing), "DOWN 1/2" (recovering), MAINT, ... */
  states(): Promise<Record<string, string>>;
  /** Resolves once haproxy reports `server` exactly `status`. */
  waitFor(server: Balanced, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBalancer(options: BalancerOptions): Promise<Balancer> {
  const child = spawn('haproxy', ['-db', '-f', HAPROXY_CONFIG], {
    env: {
      PATH: process.env.PATH,
      LB_BIND: `127.0.0.1:${options.port}`,
      LB_GATEWAY_1: options.gateways[0],
      LB_GATEWAY_2: options.gateways[1],
      LB_STATS_SOCKET: options.statsSocket,
      LB_CHECK_INTERVAL: `${options.checkIntervalMs}ms`,
      LB_LOG_LEVEL: options.logLevel ?? 'notice',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(chunk.toString());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => ((exited = true), resolve(code))));

  const states = async () => parseStat(await command(options.statsSocket, 'show stat'));
  const until = async (what: string, timeoutMs: number, check: () => Promise<boolean>) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new Error(`haproxy exited while waiting for ${what}:\n${output}`);
      if (await check().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; haproxy said:\n${output}`);
      await sleep(20);
    }
  };
  await until('its stats socket', 10_000, async () => Object.keys(await states()).length > 0);

  return {
    url: `http://127.0.0.1:${options.port}/graphql`,
    wsUrl: `ws://127.0.0.1:${options.port}/graphql`,
    exit,
    output: () => output,
    states,
    waitFor: (server, status, timeoutMs = 20_000) => until(`haproxy to report ${server} ${status}`, timeoutMs, async () => (await states())[server] === status),
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** One command on haproxy's admin socket; the answer ends when haproxy closes the connection. */
function command(socketPath: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = createConnection(socketPath, () => socket.write(`${line}\n`));
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** The `gateways` backend's servers and their status, from `show stat`'s CSV. */
function parseStat(csv: string): Record<string, string> {
  const [header, ...rows] = csv.split('\n').filter(Boolean);
  const columns = (header ?? '').replace(/^# /, '').split(',');
  const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) => columns.indexOf(name));
  const states: Record<string, string> = {};
  for (const row of rows.map((r) => r.split(','))) {
    if (row[proxy!] === 'gateways' && row[server!] !== 'BACKEND') states[row[server!]!] = row[status!]!;
  }
  return states;
}
