/** The rule-based assistant's next move: call a tool or answer. */
export type Action = { type: 'call'; name: string; args: Record<string, unknown>; reasoning: string } | { type: 'answer'; text: string; reasoning: string };

/** A tool call of this run, with its result once the runner fed it back. */
export interface Exchange {
  id: string;
  name: string;
  args: unknown;
  result: unknown;
}
