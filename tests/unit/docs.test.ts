import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const configSource = readFileSync('src/config/config.ts', 'utf8');
const readByConfig = new Set([...configSource.matchAll(/read\.\w+\('([A-Z_]+)'/g)].map((m) => m[1]));

describe('the documentation of configuration', () => {
  it('lists in the README table exactly the variables the config module reads', () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = new Set([...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
    expect([...table].sort()).toEqual([...readByConfig].sort());
  });

  it('lists every variable in .env.example', () => {
    const example = readFileSync('.env.example', 'utf8');
    const listed = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([...readByConfig].sort());
  });
});
