import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const JWT_SECRET = 'bench-secret-that-is-long-enough-0123456789abcdef';
export const OPERATOR = { username: 'bench_operator', password: 'bench-operator-password-1' } as const;

/** Benchmarks load the gateway and the bare server on purpose: no rate limit may stop them. */
const UNLIMITED = '100000000';

/** `dist`: the build `npm start` runs, dist/bundle/main.js (dist/src/main.js without a fresh bundle); `source`: node --import tsx src/main.ts. */
let mode: 'dist' | 'source' = 'dist';
export function setGatewayMode(m: 'dist' | 'source'): void {
  mode = m;
}
export function gatewayMode(): 'dist' | 'source' {
  return mode;
}

export function entryArgs(): string[] {
  if (mode === 'dist') return [distEntry()];
  return ['--import', 'tsx', join(ROOT, 'src/main.ts')];
}

/** The bundle when it is at least as new as the tsc output it was made from. */
export function distEntry(): string {
  const [compiled, bundled] = [join(ROOT, 'dist/src/main.js'), join(ROOT, 'dist/bundle/main.js')];
  return existsSync(bundled) && statSync(bundled).mtimeMs >= statSync(compiled).mtimeMs ? bundled : compiled;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface GatewayOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  /** Preload bench/lib/gc-hook.mjs with --expose-gc so gc() can be asked for over IPC. */
  gcHook?: boolean;
  /**
   * The gateway's stdout straight into this file, not through the bench: at LOG_LEVEL=info it
   * writes a line per request, and reading them here would take the load generator's CPU.
   */
  stdoutFile?: string;
  /** BENCH_CPU_PROF=1 writes a .cpuprofile per gateway process under bench/results/profiles. */
  cpuProfName?: string;
}

export interface Gateway {
  url: string;
  wsUrl: string;
  pid: number;
  /** Milliseconds from spawn to the first /readyz 200. */
  readyMs: number;
  /** VmRSS of the gateway process, from /proc, in bytes. */
  rss(): number;
  /** Full GC in the gateway (needs gcHook), then its memory. */
  gc(): Promise<NodeJS.MemoryUsage>;
  output(): string;
  stop(): Promise<void>;
}

export function gatewayEnv(options: GatewayOptions, port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    JWT_SECRET,
    BCRYPT_COST: '4',
    LOG_LEVEL: 'warn',
    // Production serves metrics on a listener of its own: any free port, so benches of several checkouts can run at once.
    METRICS_PORT: '0',
    SEED_DEMO: 'false',
    OPERATOR_USERNAME: OPERATOR.username,
    OPERATOR_PASSWORD: OPERATOR.password,
    RATE_LIMIT_OPERATIONS_PER_USER: UNLIMITED,
    RATE_LIMIT_OPERATIONS_PER_IP: UNLIMITED,
    RATE_LIMIT_SUBSCRIBES_PER_USER: UNLIMITED,
    RATE_LIMIT_SUBSCRIBES_PER_IP: UNLIMITED,
    RATE_LIMIT_SEND_MESSAGE_PER_USER: UNLIMITED,
    // The load comes from one address and a few users: the per-address and per-user socket caps are not what is measured.
    WS_MAX_CONNECTIONS_PER_IP: '1000000',
    WS_MAX_CONNECTIONS_PER_USER: '1000000',
    ...(process.env.BENCH_HEAP_SNAPSHOTS ? { BENCH_HEAP_SNAPSHOTS: process.env.BENCH_HEAP_SNAPSHOTS } : {}),
    ...(process.env.BENCH_ALLOC_PROFILE ? { BENCH_ALLOC_PROFILE: process.env.BENCH_ALLOC_PROFILE } : {}),
    ...options.env,
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const port = await freePort();
  // BENCH_NODE_ARGS: extra node flags for the gateway process, space-separated.
  const execArgv: string[] = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (options.gcHook) execArgv.push('--expose-gc', '--import', join(ROOT, 'bench/lib/gc-hook.mjs'));
  if (process.env.BENCH_CPU_PROF && options.cpuProfName) {
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/results/profiles')}`, `--cpu-prof-name=${options.cpuProfName}-${Date.now()}.cpuprofile`);
  }
  const stdoutFd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : undefined;
  const started = performance.now();
  const child = spawn(process.execPath, [...execArgv, ...entryArgs()], {
    cwd: ROOT,
    env: gatewayEnv(options, port),
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe', 'ipc'],
  });
  const out: string[] = [];
  // BENCH_GATEWAY_LOG=FILE keeps everything the gateway prints (with BENCH_NODE_ARGS=--trace-gc, its GC).
  const logTo = process.env.BENCH_GATEWAY_LOG ? createWriteStream(process.env.BENCH_GATEWAY_LOG) : undefined;
  const keep = (chunk: Buffer) => {
    logTo?.write(chunk);
    out.push(chunk.toString('utf8'));
    if (out.length > 200) out.splice(0, out.length - 200);
  };
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  child.stdout?.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code), logTo?.end(), resolve())));

  const base = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(base, () => exited !== undefined, started);
  if (readyMs < 0) {
    child.kill('SIGKILL');
    throw new Error(`the gateway did not become ready (exit ${String(exited)}):\n${out.join('').slice(-3000)}`);
  }

  const pending = new Map<number, (m: NodeJS.MemoryUsage) => void>();
  let nextId = 0;
  child.on('message', (message: { type?: string; id?: number; memory?: NodeJS.MemoryUsage }) => {
    if (message.type === 'gc' && message.id !== undefined) pending.get(message.id)?.(message.memory!);
  });

  return {
    url: `${base}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    readyMs,
    rss: () => procRss(child.pid!),
    gc: () =>
      new Promise((resolve, reject) => {
        if (!options.gcHook) return reject(new Error('start the gateway with gcHook to ask for a GC'));
        const id = nextId++;
        const timer = setTimeout(() => reject(new Error('the gateway did not answer the GC request')), process.env.BENCH_HEAP_SNAPSHOTS ? 600_000 : 30_000);
        pending.set(id, (memory) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(memory);
        });
        child.send({ type: 'gc', id });
      }),
    output: () => out.join(''),
    async stop() {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => false), sleep(20_000).then(() => true)]);
      if (killed) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

/** Polls /readyz every 5 ms; the elapsed ms at the first 200, or -1 if the process died or 60 s passed. */
export async function waitReady(base: string, dead: () => boolean, started: number): Promise<number> {
  while (performance.now() - started < 60_000) {
    if (dead()) return -1;
    try {
      const res = await fetch(`${base}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  return -1;
}

/** CPU time (user + system) a process has used so far, in ms; clock ticks are 100 Hz on Linux. */
export function procCpuMs(pid: number): number {
  // The fields after the command name, which may itself hold spaces and parentheses.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function procRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

export function distBuilt(): boolean {
  return existsSync(join(ROOT, 'dist/src/main.js'));
}

export type { ChildProcess };
