// bench/results/history.jsonl: one line per bench per `npm run bench`, so the report can draw
// how each figure moved from run to run.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RESULTS_DIR, type Chart, type machine, type Row } from './results.js';

export const HISTORY_FILE = join(RESULTS_DIR, 'history.jsonl');

export interface HistoryEntry {
  date: string;
  commit: string;
  bench: string;
  gateway: string;
  machine: ReturnType<typeof machine>;
  rows: Row[];
  charts: Chart[];
}

/** The commit the figures belong to; `+dirty` when the tree had uncommitted changes. */
export function gitCommit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function appendHistory(entry: HistoryEntry, file = HISTORY_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** Every well-formed line, oldest first; a torn or hand-edited line is skipped rather than losing the rest. */
export function parseHistory(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Partial<HistoryEntry>;
      if (typeof e.bench === 'string' && typeof e.date === 'string' && Array.isArray(e.rows)) {
        entries.push({ commit: 'unknown', gateway: '', machine: e.machine!, charts: [], ...e } as HistoryEntry);
      }
    } catch {
      // not JSON: skip the line
    }
  }
  return entries;
}

export function readHistory(file = HISTORY_FILE): HistoryEntry[] {
  return existsSync(file) ? parseHistory(readFileSync(file, 'utf8')) : [];
}
