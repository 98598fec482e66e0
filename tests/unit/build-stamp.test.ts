import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildOnce } from '../../scripts/build.js';
import { buildReason, isBuildInput, OUTPUTS, readBuildInputs, STAMP_FILE, stampOf } from '../../scripts/lib/build-stamp.js';

describe('the stamp of the build inputs', () => {
  const inputs = [
    { path: 'src/a.ts', content: 'export const a = 1;' },
    { path: 'package-lock.json', content: '{}' },
  ];

  it('is the same whatever order the files were listed in', () => {
    expect(stampOf(inputs)).toBe(stampOf([...inputs].reverse()));
  });

  it('changes with a file content, a file name, an added file or a removed one', () => {
    const stamp = stampOf(inputs);
    expect(stampOf([{ ...inputs[0]!, content: 'export const a = 2;' }, inputs[1]!])).not.toBe(stamp);
    expect(stampOf([{ ...inputs[0]!, path: 'src/b.ts' }, inputs[1]!])).not.toBe(stamp);
    expect(stampOf([...inputs, { path: 'src/c.ts', content: '' }])).not.toBe(stamp);
    expect(stampOf([inputs[0]!])).not.toBe(stamp);
  });

  it('does not let the boundary between a name and its content move', () => {
    expect(stampOf([{ path: 'src/ab', content: 'c' }])).not.toBe(stampOf([{ path: 'src/a', content: 'bc' }]));
  });

  it('leaves out what the build writes', () => {
    expect(isBuildInput('chat-ui/src/main.ts')).toBe(true);
    expect(isBuildInput('src/server/http.ts')).toBe(true);
    expect(isBuildInput('chat-ui/dist/app.js')).toBe(false);
    expect(isBuildInput('scripts/node_modules/x.js')).toBe(false);
  });

  it('asks for a build when an output is missing, no stamp was written or the inputs changed; not otherwise', () => {
    expect(buildReason({ previous: 'a', current: 'a', outputsPresent: true })).toBeUndefined();
    expect(buildReason({ previous: 'a', current: 'a', outputsPresent: false })).toMatch(/output/);
    expect(buildReason({ previous: undefined, current: 'a', outputsPresent: true })).toMatch(/stamp/);
    expect(buildReason({ previous: 'a', current: 'b', outputsPresent: true })).toMatch(/changed/);
  });
});

describe('npm start builds only when an input changed (scripts/build.ts --if-changed)', () => {
  let root: string;
  let builds: number;
  /** A build of the checkout in `root`: every output holds the inputs it was made from. */
  const build = async () => {
    builds++;
    const sources = (await readBuildInputs(root)).map((i) => `${i.path}:${String(i.content)}`).join('\n');
    for (const output of OUTPUTS) {
      mkdirSync(dirname(join(root, output)), { recursive: true });
      await writeFile(join(root, output), sources);
    }
  };
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'build-stamp-'));
    builds = 0;
    write('src/main.ts', 'console.log(1);');
    write('chat-ui/src/main.ts', 'export {};');
    write('package-lock.json', '{"lockfileVersion":3}');
    write('tsconfig.json', '{}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds the first time, skips the second, and builds again after a source file changes', async () => {
    expect(await buildOnce(root, build, { ifChanged: true })).toMatchObject({ built: true });
    expect(await buildOnce(root, build, { ifChanged: true })).toEqual({ built: false, reason: 'the build is current' });
    expect(builds).toBe(1);

    write('src/main.ts', 'console.log(2);');
    expect(await buildOnce(root, build, { ifChanged: true })).toEqual({ built: true, reason: 'the inputs changed since the last build' });
    expect(builds).toBe(2);
    expect(readFileSync(join(root, 'dist/bundle/gateway.cjs'), 'utf8')).toContain('console.log(2);');
    expect((await buildOnce(root, build, { ifChanged: true })).built).toBe(false);
  });

  it('builds again after the chat page, the lock file or a tsconfig changes, or a source file is added', async () => {
    await buildOnce(root, build, { ifChanged: true });
    for (const [path, content] of [
      ['chat-ui/src/main.ts', 'export const x = 1;'],
      ['package-lock.json', '{"lockfileVersion":3,"packages":{}}'],
      ['tsconfig.json', '{"compilerOptions":{}}'],
      ['src/new.ts', 'export {};'],
    ] as const) {
      write(path, content);
      expect((await buildOnce(root, build, { ifChanged: true })).built, path).toBe(true);
    }
    expect(builds).toBe(5);
  });

  it('does not count what the build wrote as a change', async () => {
    await buildOnce(root, build, { ifChanged: true });
    write('chat-ui/dist/app.js', 'rewritten');
    expect((await buildOnce(root, build, { ifChanged: true })).built).toBe(false);
  });

  it('builds when an output was removed', async () => {
    await buildOnce(root, build, { ifChanged: true });
    rmSync(join(root, 'dist/bundle/gateway.cjs'));
    expect(await buildOnce(root, build, { ifChanged: true })).toEqual({ built: true, reason: 'an output is missing' });
  });

  it('writes no stamp when the build fails, so the next start builds', async () => {
    const failing = async () => {
      await build();
      throw new Error('tsc failed');
    };
    await expect(buildOnce(root, failing, { ifChanged: true })).rejects.toThrow('tsc failed');
    await expect(readFile(join(root, STAMP_FILE), 'utf8')).rejects.toThrow();
    expect((await buildOnce(root, build, { ifChanged: true })).built).toBe(true);
  });

  it('stamps the inputs as they were when the build began: an edit during the build rebuilds next time', async () => {
    const editedMidway = async () => {
      await build();
      write('src/main.ts', 'console.log("edited while building");');
    };
    await buildOnce(root, editedMidway, { ifChanged: true });
    expect((await buildOnce(root, build, { ifChanged: true })).built).toBe(true);
  });

  it('always builds without --if-changed (npm run build, npm test)', async () => {
    await buildOnce(root, build, { ifChanged: true });
    expect(await buildOnce(root, build, { ifChanged: false })).toEqual({ built: true, reason: 'asked for' });
  });
});
