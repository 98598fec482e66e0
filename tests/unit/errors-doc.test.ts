import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docsPage } from '../helpers/markdown.js';

function sources(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      const path = join(entry.parentPath, entry.name);
      files.set(path, readFileSync(path, 'utf8'));
    }
  }
  return files;
}

const literals = (text: string) => [...text.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!);
const between = (text: string, start: string, end: string) => text.slice(text.indexOf(start), text.indexOf(end, text.indexOf(start)));

const declared = literals(between(readFileSync('src/shared/errors.ts', 'utf8'), 'export type ErrorCode', ';'));

/** Codes the source can put in extensions.code. */
function codesTheSourceSends(): Set<string> {
  const codes = new Set<string>();
  const src = sources('src');
  for (const [path, text] of src) {
    // Refusals ({ code, message }) become DomainErrors; the agent's run codes are not ErrorCodes.
    for (const m of text.matchAll(/\bcode: '([A-Z_]+)'/g)) if (declared.includes(m[1]!)) codes.add(m[1]!);
    // Domain errors, and errors answered past the formatter (HTTP, streams, limits).
    for (const m of text.matchAll(/new DomainError\(\s*'([A-Z_]+)'/g)) codes.add(m[1]!);
    for (const m of text.matchAll(/extensions: \{[^}]*\bcode: '([A-Z_]+)'/g)) codes.add(m[1]!);
    for (const m of text.matchAll(/\brefuse\(\d+, '([A-Z_]+)'/g)) codes.add(m[1]!);
    if (path.startsWith('src/server/') || path.startsWith('src/graphql/')) {
      for (const line of text.split('\n').filter((l) => /\b(code|errorCode)\b/.test(l))) {
        for (const code of literals(line)) if (!code.startsWith('WS_ERR')) codes.add(code);
      }
    }
  }
  // Codes graphql-js and Apollo give that the one formatter lets through unmasked.
  for (const code of literals(between(src.get('src/graphql/errors.ts')!, 'const CLIENT_CODES', ']);'))) codes.add(code);
  return codes;
}

const table = () => new Set([...docsPage('errors.md').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!));

describe('docs/errors.md', () => {
  it('has a row for every code the source sends, and for no other', () => {
    const sent = codesTheSourceSends();
    expect(sent.size).toBeGreaterThan(20);
    expect([...table()].sort()).toEqual([...sent].sort());
  });

  it('has every ErrorCode a DomainError may carry, and each is sent somewhere', () => {
    expect(declared.filter((code) => !table().has(code))).toEqual([]);
    expect(declared.filter((code) => !codesTheSourceSends().has(code))).toEqual([]);
  });
});
