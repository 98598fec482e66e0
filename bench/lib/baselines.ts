// The shared baselines (../shared/baselines next to the repository): copied at run time so a
// bench never writes into the shared folder; a missing folder makes rows unranked, not a failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './gateway.js';

export const BASELINES_DIR = process.env.BENCH_BASELINES_DIR ?? join(ROOT, '..', 'shared', 'baselines');
/** npm installs of the baseline packages, keyed by their package.json: git-ignored, so reruns skip the install. */
export const CACHE_DIR = join(ROOT, 'bench', '.cache');
export const MISSING = 'unranked: baseline missing';

/** Copies ../shared/baselines/<name> (a file or folder) into a fresh temp dir; undefined if it is absent. */
export function copyBaseline(...names: string[]): string | undefined {
  if (!names.every((n) => existsSync(join(BASELINES_DIR, n)))) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
  for (const n of names) cpSync(join(BASELINES_DIR, n), join(dir, n), { recursive: true });
  return dir;
}

/**
 * A baseline package ready to run: its files copied fresh into bench/.cache/<name>-<hash of
 * package.json>, `npm install` only when that folder has no finished install yet.
 */
export function installedBaseline(name: string): string | undefined {
  const source = join(BASELINES_DIR, name);
  if (!existsSync(join(source, 'package.json'))) return undefined;
  const hash = createHash('sha256')
    .update(readFileSync(join(source, 'package.json')))
    .digest('hex')
    .slice(0, 12);
  const dir = join(CACHE_DIR, `${name}-${hash}`);
  for (const entry of readdirSync(source)) {
    if (entry !== 'node_modules') cpSync(join(source, entry), join(dir, entry), { recursive: true });
  }
  const done = join(dir, '.installed');
  if (!existsSync(done)) {
    console.log(`   npm install in ${dir.slice(ROOT.length + 1)} (cached for later runs) ...`);
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--cache', join(CACHE_DIR, 'npm')], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (npm.status !== 0) throw new Error(`npm install for the ${name} baseline failed:\n${npm.stderr.slice(-2000)}`);
    writeFileSync(done, new Date().toISOString());
  }
  return dir;
}
