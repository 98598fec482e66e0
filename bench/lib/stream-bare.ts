// The stream's floor: ../shared/baselines/stream-bare (bare graphql-ws fan-out, subscribers in
// processes of their own) at the gateway phase's load, in the same run.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { installedBaseline } from './baselines.js';
import { freePort } from './gateway.js';

export interface BareStream {
  deliveries: number;
  secs: number;
  p50: number;
  p99: number;
  max: number;
  reordered: number;
}

/** Undefined when the baseline folder is absent; throws when it runs but fails. */
export async function bareStream(load: { tokenMs: number; tokens: number; procs: number }): Promise<BareStream | undefined> {
  const dir = installedBaseline('stream-bare');
  if (!dir) return undefined;
  const env = { ...process.env, PORT: String(await freePort()), TOKEN_MS: String(load.tokenMs), TOKENS: String(load.tokens), PROCS: String(load.procs) };
  const child = spawn(process.execPath, [join(dir, 'stream-drive.mjs')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), load.tokenMs * load.tokens + 120_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(limit);
  const line = out.split('\n').find((l) => l.startsWith('{"deliveries"'));
  if (code !== 0 || !line) throw new Error(`stream-bare exited ${code}:\n${out.slice(-1500)}`);
  return JSON.parse(line) as BareStream;
}
