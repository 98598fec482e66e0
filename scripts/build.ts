// npm run build: tsc into dist/, the chat page, the bundle `npm start` runs; then the stamp of
// the inputs it read (scripts/lib/build-stamp.ts). With --if-changed (npm start) nothing is
// built when the stamp still matches the inputs and the outputs are there.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReason, buildState, writeStamp } from './lib/build-stamp.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface BuildOutcome {
  built: boolean;
  /** Why it built (or, when it did not, that the build is current). */
  reason: string;
}

/**
 * Runs `build` unless `ifChanged` and the last successful build's stamp matches the inputs now.
 * The stamp is taken before building and written only after `build` resolves.
 */
export async function buildOnce(root: string, build: () => Promise<void>, { ifChanged }: { ifChanged: boolean }): Promise<BuildOutcome> {
  const state = await buildState(root);
  const reason = ifChanged ? buildReason(state) : 'asked for';
  if (reason === undefined) return { built: false, reason: 'the build is current' };
  await build();
  await writeStamp(root, state.current);
  return { built: true, reason };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} failed (${signal ?? code})`))));
  });
}

/** What `npm run build` always did: loaded only when a build runs, so a current one costs no esbuild. */
async function buildAll(): Promise<void> {
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  const [{ buildChatUi }, { bundle }] = await Promise.all([import('./build-chat.js'), import('./bundle.js')]);
  await buildChatUi();
  await bundle();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ifChanged = process.argv.includes('--if-changed');
  const started = performance.now();
  const outcome = await buildOnce(ROOT, buildAll, { ifChanged });
  const ms = Math.round(performance.now() - started);
  console.log(outcome.built ? `built in ${ms} ms (${outcome.reason})` : `build skipped: its inputs have not changed since the last one (checked in ${ms} ms)`);
}
