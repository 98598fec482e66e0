// The stamp of what `npm run build` reads, so `npm start` can skip a build whose inputs have not
// changed since the last one that succeeded (scripts/build.ts --if-changed).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Folders the build reads (tsconfig.build.json's include, the chat page, the build scripts themselves). */
export const INPUT_DIRS = ['src', 'sandbox-bank', 'migrations', 'scripts', 'chat-ui'] as const;
/**
 * Single files the build reads. node_modules/.package-lock.json is what npm actually installed
 * (package-lock.json is what it was asked to): a reinstall that changed a dependency rebuilds.
 */
export const INPUT_FILES = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json', 'tsconfig.build.json'] as const;
/** Under INPUT_DIRS, what the build writes or nobody reads: a build must not make its own stamp stale. */
const SKIPPED = /(^|\/)(dist|node_modules|\.cache)(\/|$)|\.(log|tmp)$/;
/** What `node dist/bundle/main.js` needs; without any of them the stamp means nothing. */
export const OUTPUTS = [
  'dist/bundle/main.js',
  'dist/bundle/package.json',
  'dist/bundle/gateway.cjs',
  'chat-ui/dist/index.html',
  'chat-ui/dist/app.js',
] as const;
/** Beside the outputs it vouches for: removing dist/ removes it. */
export const STAMP_FILE = 'dist/.build-stamp';

/** Bumped when what the stamp covers changes, so an old stamp never matches. */
const STAMP_VERSION = 1;

export interface BuildInput {
  /** Relative to the checkout, with forward slashes. */
  path: string;
  content: Uint8Array | string;
}

/** Whether a path (relative, forward slashes) under one of INPUT_DIRS is read by the build. */
export function isBuildInput(path: string): boolean {
  return !SKIPPED.test(path);
}

/** One hash of every input's path and content, independent of the order they were listed in. */
export function stampOf(inputs: readonly BuildInput[]): string {
  const hash = createHash('sha256').update(`build-stamp ${STAMP_VERSION}\n`);
  for (const input of [...inputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const bytes = typeof input.content === 'string' ? Buffer.from(input.content) : input.content;
    // Length-prefixed, so no two different lists hash the same text.
    hash.update(`${input.path}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

export interface BuildState {
  /** The stamp the last successful build wrote; undefined when there is none. */
  previous: string | undefined;
  current: string;
  /** Every one of OUTPUTS exists. */
  outputsPresent: boolean;
}

/** Why the build must run, or undefined when its outputs are those of these very inputs. */
export function buildReason({ previous, current, outputsPresent }: BuildState): string | undefined {
  if (!outputsPresent) return 'an output is missing';
  if (previous === undefined) return 'no stamp of a finished build';
  if (previous !== current) return 'the inputs changed since the last build';
  return undefined;
}

/** Every input under `root`, read. */
export async function readBuildInputs(root: string): Promise<BuildInput[]> {
  const paths: string[] = [];
  for (const dir of INPUT_DIRS) {
    if (!existsSync(join(root, dir))) continue;
    for (const entry of await readdir(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
      if (isBuildInput(path)) paths.push(path);
    }
  }
  for (const file of INPUT_FILES) if (existsSync(join(root, file))) paths.push(file);
  return Promise.all(paths.map(async (path) => ({ path, content: await readFile(join(root, path)) })));
}

export async function currentStamp(root: string): Promise<string> {
  return stampOf(await readBuildInputs(root));
}

export async function buildState(root: string): Promise<BuildState> {
  const [current, previous] = await Promise.all([
    currentStamp(root),
    readFile(join(root, STAMP_FILE), 'utf8').then(
      (s) => s.trim(),
      () => undefined,
    ),
  ]);
  return { current, previous, outputsPresent: OUTPUTS.every((file) => existsSync(join(root, file))) };
}

/** Written only after a build succeeded, with the stamp taken before it began: an edit made during the build rebuilds next time. */
export async function writeStamp(root: string, stamp: string): Promise<void> {
  const file = join(root, STAMP_FILE);
  await writeFile(`${file}.${process.pid}`, `${stamp}\n`);
  await rename(`${file}.${process.pid}`, file);
}
