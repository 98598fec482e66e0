import { readFileSync } from 'node:fs';

/** One Dockerfile instruction: its keyword upper-cased, its arguments with line continuations joined, and its stage. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
  /** 0 for the first FROM's stage, 1 for the next, ... */
  stage: number;
}

/** The instructions of a Dockerfile (comments and blank lines dropped), enough to check the rules hadolint would. */
export function readDockerfile(path: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = -1;
  let pending: { text: string; line: number } | undefined;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const text = raw.trim();
      if (!pending && (text === '' || text.startsWith('#'))) return;
      if (pending && text.startsWith('#')) return;
      const joined = pending ? `${pending.text} ${text}` : text;
      const line = pending?.line ?? index + 1;
      if (joined.endsWith('\\')) {
        pending = { text: joined.slice(0, -1).trim(), line };
        return;
      }
      pending = undefined;
      const [keyword = '', ...rest] = joined.split(/\s+/);
      if (keyword.toUpperCase() === 'FROM') stage++;
      instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line, stage });
    });
  return instructions;
}

/** Exec form (a JSON array): the command runs as PID 1's child directly, so signals reach it. */
export function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}
