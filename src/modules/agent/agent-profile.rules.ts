import type { AgentProfile } from './llm/provider.js';

/** Characters the user's goals, challenges and glossary may take in the system prompt (about 1,000 tokens). */
export const PROFILE_BUDGET_CHARS = 4_000;

export interface ProfileLines {
  lines: string[];
  /** How many items of each list were left out for length. */
  cut: { goals: number; challenges: number; glossary: number };
}

/**
 * The whole user in the prompt, within a budget: when it does not fit, glossary terms go
 * first, then known challenges, then long-term goals, each list losing its last items first
 * (docs/providers.md); a line says what was left out.
 */
export function profileLines(profile: AgentProfile, budget = PROFILE_BUDGET_CHARS): ProfileLines {
  const goals = profile.longTermGoals.map((g) => `- ${g}`);
  const challenges = profile.knownChallenges.map((c) => `- ${c}`);
  const glossary = profile.glossary.map((t) => `- ${t.term}: ${t.definition}`);
  const size = () => [goals, challenges, glossary].flat().reduce((sum, line) => sum + line.length + 1, 0);
  const cut = { goals: 0, challenges: 0, glossary: 0 };
  for (const [list, key] of [
    [glossary, 'glossary'],
    [challenges, 'challenges'],
    [goals, 'goals'],
  ] as const) {
    while (size() > budget && list.length > 0) {
      list.pop();
      cut[key]++;
    }
  }
  const lines: string[] = [];
  const section = (title: string, items: string[], dropped: number, what: string) => {
    if (items.length === 0 && dropped === 0) return;
    lines.push(title, ...items);
    if (dropped > 0) lines.push(`(${dropped} more ${what} left out for length)`);
  };
  section("The user's long-term goals:", goals, cut.goals, 'goals');
  section('Challenges the user knows they face (be mindful of them):', challenges, cut.challenges, 'challenges');
  section("The user's own words and what they mean (use them as the user does):", glossary, cut.glossary, 'glossary terms');
  return { lines, cut };
}
