/** Every flag the gateway reads: its key, its value when nothing sets it, and what it switches. */
export const FLAG_CATALOG = [
  { key: 'ai', default: true, description: 'The configured AI providers; off: every run uses the local offline assistant.' },
  { key: 'linked-accounts', default: true, description: 'Accounts at other banks linked through the aggregator.' },
  { key: 'groups', default: true, description: 'Groups: shared conversations and shared expenses.' },
  { key: 'tools.money', default: true, description: "The agent's money tools: accounts, history, transfer proposals." },
  { key: 'tools.cards', default: true, description: "The agent's card tools." },
  { key: 'tools.budget', default: true, description: "The agent's budget tools: jars, fees, insights." },
  { key: 'tools.journal', default: true, description: "The agent's journaling tools: drafts and preferences." },
  { key: 'tools.plans', default: true, description: "The agent's planning tools: goals, weekly and daily plans." },
] as const;

export type FlagKey = (typeof FLAG_CATALOG)[number]['key'];

export const FLAG_KEYS: readonly FlagKey[] = FLAG_CATALOG.map((f) => f.key);

/** The environment variable that overrides a flag: FEATURE_ + the key upper-cased, `-` and `.` as `_`. */
export function flagEnvName(key: string): string {
  return `FEATURE_${key.toUpperCase().replace(/[-.]/g, '_')}`;
}
