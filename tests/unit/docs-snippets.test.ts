import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fencedBlocks, markdownPages } from '../helpers/markdown.js';

/** Blocks that name their file on the first line: `// src/apollo.ts`, `# src/operations.graphql`, `# codegen.yml`. */
function filesOf(language: string, comment: string, everyBlock: boolean): Map<string, string> {
  const files = new Map<string, string>();
  for (const [page, text] of markdownPages()) {
    for (const block of fencedBlocks(text, language)) {
      const name = block.split('\n', 1)[0]!.match(new RegExp(`^${comment} ([\\w./-]+\\.\\w+)$`))?.[1];
      if (!name && !everyBlock) continue;
      if (!name) throw new Error(`a ${language} block in ${page} does not name its file on its first line: ${block.slice(0, 80)}`);
      if (files.has(name)) throw new Error(`${name} is shown twice (again in ${page})`);
      files.set(name, block);
    }
  }
  return files;
}

// A client project of its own, as a reader would have it: the docs' files, this repository's packages.
const project = mkdtempSync(join(tmpdir(), 'docs-snippets-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the TypeScript in the docs', () => {
  it("compiles under strict TypeScript against what the docs' own codegen configuration generates", async () => {
    const snippets = filesOf('ts', '//', true);
    const operations = [...filesOf('graphql', '#', false)].filter(([name]) => name.startsWith('src/'));
    const codegen = filesOf('yaml', '#', false).get('codegen.yml');
    expect([...snippets.keys()]).toEqual(expect.arrayContaining(['src/apollo.ts', 'src/session.ts', 'src/follow.ts', 'src/http-only.ts', 'src/sse.ts']));
    expect(operations.length).toBeGreaterThan(0);
    expect(codegen).toBeDefined();

    symlinkSync(realpathSync('node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
    for (const [name, text] of [...snippets, ...operations]) {
      mkdirSync(dirname(join(project, name)), { recursive: true });
      writeFileSync(join(project, name), text);
    }

    const config = parse(codegen!) as { schema: string; documents: string; generates: Record<string, { plugins?: string[] }> };
    expect(config.schema).toBe('schema.graphql');
    // @graphql-codegen/fragment-matcher is not installed here: this repository's plugin writes the same module.
    const plugin = (name: string) => (name === 'fragment-matcher' ? resolve('scripts/codegen/possible-types.mjs') : name);
    const generates = Object.fromEntries(
      Object.entries(config.generates).map(([output, target]) => [join(project, output), { ...target, plugins: target.plugins?.map(plugin) }]),
    );
    await generate({ schema: resolve('schema.graphql'), documents: join(project, config.documents), generates, silent: true }, true);

    const program = ts.createProgram(
      [...snippets.keys()].map((name) => join(project, name)),
      {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        types: [],
        skipLibCheck: true,
      },
    );
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file ? d.file.fileName.slice(project.length + 1) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
  });
});
