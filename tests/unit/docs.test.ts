import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docsPage } from '../helpers/markdown.js';

const configSource = readFileSync('src/config/config.ts', 'utf8');
const readByConfig = new Set([...configSource.matchAll(/read\.\w+\('([A-Z_]+)'/g)].map((m) => m[1]));
const variableRows = (markdown: string) => [...markdown.matchAll(/^\| `([A-Z_]+)` \|.*$/gm)];

describe('the documentation of configuration', () => {
  it('lists in the docs/configuration.md table exactly the variables the config module reads', () => {
    const table = new Set(variableRows(docsPage('configuration.md')).map((m) => m[1]));
    expect([...table].sort()).toEqual([...readByConfig].sort());
  });

  it("shows in the README's short table rows of that table, word for word", () => {
    const full = new Set(variableRows(docsPage('configuration.md')).map((m) => m[0]));
    const short = variableRows(readFileSync('README.md', 'utf8')).map((m) => m[0]);
    expect(short).toHaveLength(10);
    expect(short.filter((row) => !full.has(row))).toEqual([]);
  });

  it('lists every variable in .env.example', () => {
    const example = readFileSync('.env.example', 'utf8');
    const listed = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([...readByConfig].sort());
  });
});
