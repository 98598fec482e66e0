import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** README.md and every page under docs/, by path. */
export function markdownPages(): Map<string, string> {
  const pages = new Map([['README.md', readFileSync('README.md', 'utf8')]]);
  for (const name of readdirSync('docs')
    .filter((n) => n.endsWith('.md'))
    .sort())
    pages.set(join('docs', name), readFileSync(join('docs', name), 'utf8'));
  return pages;
}

/** The bodies of a page's fenced blocks in one language, in order. */
export function fencedBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === language).map((m) => m[2]!);
}

/** One docs page's text. */
export function docsPage(name: string): string {
  return readFileSync(join('docs', name), 'utf8');
}
