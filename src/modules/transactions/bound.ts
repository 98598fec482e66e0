/** A statement whose values travel as bound parameters ($1, $2, ...), never in its text. */
export interface Bound {
  text: string;
  values: unknown[];
}

/** Numbers the parameters as they are added, so a statement built in pieces binds in order. */
export class Params {
  readonly values: unknown[] = [];

  /** `$n` for the value. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  bound(text: string): Bound {
    return { text, values: this.values };
  }
}

/** A `like` pattern matching `text` anywhere, its own % _ and \ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
