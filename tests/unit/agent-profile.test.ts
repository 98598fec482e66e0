import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { profileLines } from '../../src/modules/agent/agent-profile.rules.js';
import { systemPrompt } from '../../src/modules/agent/agent.prompt.js';
import type { AgentProfile } from '../../src/modules/agent/llm/provider.js';
import { plainContext } from '../helpers/llm.js';

const profile: AgentProfile = {
  longTermGoals: ['Own a home by 2030', 'Run a marathon'],
  knownChallenges: ['Impulse buying late at night'],
  glossary: [{ term: 'the pot', definition: 'my emergency savings account' }],
};
const many = (prefix: string, n: number, length = 200) => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1} `.padEnd(length, '.'));

describe("the user's profile in the system prompt", () => {
  it('puts every goal, challenge and glossary term in when they fit', () => {
    const { lines, cut } = profileLines(profile);
    expect(cut).toEqual({ goals: 0, challenges: 0, glossary: 0 });
    expect(lines).toEqual([
      "The user's long-term goals:",
      '- Own a home by 2030',
      '- Run a marathon',
      'Challenges the user knows they face (be mindful of them):',
      '- Impulse buying late at night',
      "The user's own words and what they mean (use them as the user does):",
      '- the pot: my emergency savings account',
    ]);
  });

  it('says nothing of empty lists', () => {
    expect(profileLines({ longTermGoals: [], knownChallenges: [], glossary: [] }).lines).toEqual([]);
  });

  it('cuts glossary terms first, last ones first, and says how many were left out', () => {
    const glossary = many('term', 30).map((term) => ({ term, definition: 'x' }));
    const { lines, cut } = profileLines({ ...profile, glossary }, 2_000);
    expect(cut.goals + cut.challenges).toBe(0);
    expect(cut.glossary).toBeGreaterThan(0);
    expect(lines).toContain(`- ${glossary[0]!.term}: x`);
    expect(lines).not.toContain(`- ${glossary[29]!.term}: x`);
    expect(lines).toContain(`(${cut.glossary} more glossary terms left out for length)`);
    expect(lines.join('\n').length).toBeLessThan(2_000 + 400);
  });

  it('then cuts known challenges, then long-term goals, keeping the first of each longest', () => {
    const big = { longTermGoals: many('goal', 20), knownChallenges: many('challenge', 20), glossary: [{ term: 't', definition: 'd' }] };
    const { lines, cut } = profileLines(big, 3_000);
    expect(cut.glossary).toBe(1);
    expect(cut.challenges).toBe(20);
    expect(cut.goals).toBeGreaterThan(0);
    expect(cut.goals).toBeLessThan(20);
    expect(lines).toContain(`- ${big.longTermGoals[0]}`);
    expect(lines).toContain(`(${cut.goals} more goals left out for length)`);
    expect(lines).toContain('(20 more challenges left out for length)');
  });

  it('reaches the system prompt, and a REFLECTION session gets lines of its own', () => {
    const general = systemPrompt({ ...plainContext, profile });
    expect(general).toContain('- Own a home by 2030');
    expect(general).toContain('- the pot: my emergency savings account');
    expect(general).not.toContain('reflection session');
    const reflection = systemPrompt({ ...plainContext, conversationType: 'REFLECTION', profile });
    expect(reflection).toContain('This is a reflection session');
    expect(reflection).toContain('list_journal_entries');
    expect(reflection).toContain('- Impulse buying late at night');
  });
});
