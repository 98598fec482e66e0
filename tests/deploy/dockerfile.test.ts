import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execForm, readDockerfile } from '../helpers/dockerfile.js';

// hadolint is neither on the npm registry nor in Debian: these are the rules it and the Node.js Docker team's best practices set.
const instructions = readDockerfile('Dockerfile');
const finalStage = Math.max(...instructions.map((i) => i.stage));
const inFinal = (keyword: string) => instructions.filter((i) => i.stage === finalStage && i.keyword === keyword);
const stageNames = instructions.filter((i) => i.keyword === 'FROM').map((i) => /\bAS\s+(\S+)/i.exec(i.args)?.[1]);

describe('the Dockerfile', () => {
  it('builds in stages: dev dependencies to build, production dependencies only in the image that runs', () => {
    expect(stageNames.length).toBeGreaterThanOrEqual(2);
    const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /npm ci --omit=dev/.test(r))).toBe(true);
    expect(runs.some((r) => /npm run build/.test(r))).toBe(true);
    // The final image runs no install of its own: it copies the production node_modules from their stage.
    expect(inFinal('RUN').some((i) => /\bnpm (ci|install|i)\b/.test(i.args))).toBe(false);
    const productionStage = instructions.find((i) => i.keyword === 'RUN' && /npm ci --omit=dev/.test(i.args))!.stage;
    expect(inFinal('COPY').map((i) => i.args)).toContain(`--from=${stageNames[productionStage]} /app/node_modules ./node_modules`);
  });

  it('runs as a non-root user, under an init, with node (not npm) as the command', () => {
    const user = inFinal('USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
    const entrypoint = execForm(inFinal('ENTRYPOINT').at(-1)?.args ?? '');
    expect(entrypoint?.[0]).toMatch(/tini$/);
    const command = execForm(inFinal('CMD').at(-1)?.args ?? '');
    expect(command).toEqual(['node', 'dist/bundle/main.js']);
  });

  it('is production by default, checks /readyz, and ships the chat page', () => {
    expect(inFinal('ENV').some((i) => /\bNODE_ENV=production\b/.test(i.args))).toBe(true);
    const healthcheck = inFinal('HEALTHCHECK').at(-1)?.args ?? '';
    expect(healthcheck).toMatch(/CMD \[/);
    expect(healthcheck).toContain('/readyz');
    expect(inFinal('COPY').some((i) => i.args.includes('chat-ui/dist'))).toBe(true);
  });

  it('bakes in no secret: no ENV or ARG names a secret, a password, a token or a key', () => {
    const named = instructions
      .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
      .flatMap((i) => [...i.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!));
    expect(named.filter((n) => /SECRET|PASSWORD|TOKEN|KEY/i.test(n))).toEqual([]);
  });

  it('follows the hadolint rules that apply: pinned base and packages, no recommends, apt lists removed, exec form', () => {
    for (const from of instructions.filter((i) => i.keyword === 'FROM')) expect(from.args, `line ${from.line}`).not.toMatch(/:latest\b/);
    const base = instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='))?.args;
    expect(base).toMatch(/^NODE_IMAGE=node:\d+\.\d+/);
    for (const run of instructions.filter((i) => i.keyword === 'RUN' && /apt-get install/.test(i.args))) {
      expect(run.args, `line ${run.line}`).toContain('--no-install-recommends');
      expect(run.args, `line ${run.line}`).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
      const packages = run.args
        .split('apt-get install')[1]!
        .split('&&')[0]!
        .split(/\s+/)
        .filter((w) => w && !w.startsWith('-'));
      for (const name of packages) expect(name, `line ${run.line}: pin ${name}`).toMatch(/=/);
    }
    for (const keyword of ['CMD', 'ENTRYPOINT']) for (const i of inFinal(keyword)) expect(execForm(i.args), `${keyword} line ${i.line}`).toBeDefined();
    expect(instructions.some((i) => i.keyword === 'MAINTAINER')).toBe(false);
    expect(instructions.filter((i) => i.keyword === 'RUN').some((i) => /^cd\s/.test(i.args))).toBe(false);
  });

  it('keeps local data, dependencies, build output, secrets and test artifacts out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', 'data', 'dist', 'chat-ui/dist', 'test-artifacts', 'coverage', '.env', '.git']) expect(ignored).toContain(entry);
  });
});
