import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownPages } from '../helpers/markdown.js';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, '');
  return new Set(
    [...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

describe('links in the README and docs/', () => {
  it('point at files and headings inside the repository', () => {
    const broken: string[] = [];
    for (const [page, text] of markdownPages()) {
      const prose = text.replace(/^```[\s\S]*?^```$/gm, '');
      for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
          broken.push(`${page}: ${target} leaves the repository`);
          continue;
        }
        const file = path === '' ? page : normalize(join(dirname(page), path));
        if (file.startsWith('..') || !existsSync(file)) broken.push(`${page}: ${target} names no file in the repository`);
        else if (anchor !== undefined && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${page}: ${target} names no heading of ${file}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
