import { spawn } from 'node:child_process';

export interface PgbenchResult {
  tps: number;
  transactions: number;
  failed: number;
  latencyAvgMs: number;
}

/** pgbench's summary: tps excluding the initial connection time (the wording changed in PostgreSQL 14). */
export function parsePgbench(output: string): PgbenchResult {
  const tps =
    /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1] ?? /tps = ([\d.]+) \(excluding connections establishing\)/.exec(output)?.[1];
  if (tps === undefined) throw new Error(`no tps in pgbench's output:\n${output.slice(-1500)}`);
  return {
    tps: Number(tps),
    transactions: Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1] ?? NaN),
    failed: Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0),
    latencyAvgMs: Number(/latency average = ([\d.]+) ms/.exec(output)?.[1] ?? NaN),
  };
}

export interface PgbenchRun {
  databaseUrl: string;
  script: string;
  clients: number;
  threads: number;
  seconds: number;
  define?: Record<string, string | number>;
}

/** Runs /usr/bin/pgbench (PGBENCH to change) against `databaseUrl`, no vacuum, and parses its summary. */
export async function runPgbench(run: PgbenchRun): Promise<PgbenchResult> {
  const url = new URL(run.databaseUrl);
  const args = ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres'), '-n'];
  args.push('-c', String(run.clients), '-j', String(run.threads), '-T', String(run.seconds), '-f', run.script);
  for (const [k, v] of Object.entries(run.define ?? {})) args.push('-D', `${k}=${v}`);
  args.push(url.pathname.slice(1));
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.env.PGBENCH ?? '/usr/bin/pgbench', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`pgbench exited ${code}:\n${text.slice(-1500)}`))));
  });
  return parsePgbench(output);
}
