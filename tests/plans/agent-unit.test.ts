import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { planningSection, MAX_GOALS } from '../../src/modules/agent/agent.context.js';
import type { PlanningContext } from '../../src/modules/agent/llm/provider.js';
import { CONVERSATION_TOOLS } from '../../src/modules/agent/tools/conversation-tools.js';
import { runTool, toolsFor } from '../../src/modules/agent/tools/registry.js';
import type { ToolServices } from '../../src/modules/agent/tools/tool.js';
import type { AuthInfo } from '../../src/modules/auth/auth.types.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { ConversationType, type ChatSession } from '../../src/modules/chat/chat-session.entity.js';

const goal = (i: number, extra: Partial<PlanningContext['goals'][number]> = {}) => ({
  id: `g${i}`,
  title: `Goal ${i}`,
  priority: 'MEDIUM',
  targetDate: null,
  target: null,
  progress: null,
  progressPercent: null,
  ...extra,
});
const base: PlanningContext = {
  today: '2026-11-30',
  weekStart: '2026-11-30',
  goals: [],
  day: { date: '2026-11-30', items: [] },
  focusAreas: [],
  focusGoalId: null,
};

describe('the goals-and-plan section of the prompt', () => {
  it("shows the active goals with savings progress and the day's items with times and status", () => {
    const text = planningSection({
      ...base,
      goals: [goal(1, { title: 'Vacation', target: '2000.00 USD', progress: '500.00 USD', progressPercent: 25, targetDate: '2027-06-30' })],
      day: {
        date: '2026-11-30',
        items: [
          { id: 'i1', title: 'Gym', time: '07:00', status: 'DONE' },
          { id: 'i2', title: 'Call mom', time: null, status: 'TODO' },
        ],
      },
      focusAreas: ['health'],
    });
    expect(text).toContain('Today is 2026-11-30');
    expect(text).toContain('- Vacation (id g1, medium priority, by 2027-06-30, saved 500.00 USD of 2000.00 USD = 25%)');
    expect(text).toContain('Plan for 2026-11-30 (today):\n- 07:00 Gym [DONE] (id i1)\n- Call mom [TODO] (id i2)');
    // The day has items: the week's focus areas are left out.
    expect(text).not.toContain('health');
  });

  it("shows the week's focus areas when the day is empty", () => {
    const text = planningSection({ ...base, focusAreas: ['health', 'finish the report'] });
    expect(text).toContain("Nothing planned for 2026-11-30; this week's focus areas:\n- health\n- finish the report");
    expect(text).toContain('Active goals (most important first):\n- none');
  });

  it('keeps at most 10 goals, the conversation’s goal first even when it is last', () => {
    const goals = Array.from({ length: 14 }, (_, i) => goal(i));
    const text = planningSection({ ...base, goals, focusGoalId: 'g13' }, 10_000);
    const shown = [...text.matchAll(/^- Goal (\d+)/gm)].map((m) => Number(m[1]));
    expect(shown).toHaveLength(MAX_GOALS);
    expect(shown[0]).toBe(13);
    expect(text).toContain('<- this conversation is about it');
    expect(shown).not.toContain(9);
  });

  it('cuts lines beyond the length budget, counts what it cut, and leaves room for the plan', () => {
    const goals = Array.from({ length: 10 }, (_, i) => goal(i, { title: `A rather long goal title number ${i} `.repeat(3) }));
    const items = Array.from({ length: 30 }, (_, i) => ({ id: `i${i}`, title: `item ${i}`, time: null, status: 'TODO' }));
    const text = planningSection({ ...base, goals, day: { date: '2026-11-30', items } }, 800);
    expect(text.length).toBeLessThanOrEqual(800 + 2 * 30);
    expect(text).toMatch(/- \.\.\. \d+ more not shown/);
    expect(text).toContain('- item 0 [TODO]');
    const cutGoals = /Active goals[\s\S]*?- \.\.\. (\d+) more not shown/.exec(text);
    expect(Number(cutGoals?.[1])).toBeGreaterThan(0);
  });
});

describe('the per-conversation tool table', () => {
  it('gives GENERAL and REFLECTION only tools that read, PLANNING the goal and plan tools', () => {
    const writers = [
      'propose_transfer',
      'structure_journal',
      'save_journal',
      'update_preferences',
      'create_goal',
      'update_goal',
      'plan_day',
      'set_item_status',
      'propose_goal_contribution',
    ];
    for (const type of ['GENERAL', 'REFLECTION'] as const) expect(CONVERSATION_TOOLS[type].filter((t) => writers.includes(t))).toEqual([]);
    expect(CONVERSATION_TOOLS.REFLECTION).toEqual(['list_journal_entries', 'list_goals']);
    expect(toolsFor(ConversationType.PLANNING).map((t) => t.definition.name)).toEqual([
      'list_goals',
      'create_goal',
      'update_goal',
      'plan_day',
      'list_plan',
      'set_item_status',
      'propose_goal_contribution',
    ]);
  });

  it('names only tools that exist', () => {
    for (const type of Object.values(ConversationType)) {
      expect(
        toolsFor(type)
          .map((t) => t.definition.name)
          .sort(),
        type,
      ).toEqual([...CONVERSATION_TOOLS[type]].sort());
    }
  });

  it('is the table docs/api.md shows', () => {
    const page = readFileSync('docs/api.md', 'utf8');
    const rows = [...page.matchAll(/^\| (GENERAL|JOURNALING|COACHING|PLANNING|REFLECTION|GROUP) \| ([a-z_, ]+)(?: \([^)]*\))? \|$/gm)];
    expect(Object.fromEntries(rows.map((r) => [r[1], r[2]!.split(', ')]))).toEqual(CONVERSATION_TOOLS);
  });

  it('refuses a tool outside the session’s set with a tool error, without touching a service', async () => {
    const propose = vi.fn();
    const services = { transfers: { propose, snapshot: vi.fn() } } as unknown as ToolServices;
    const servicesFor = vi.fn(() => services);
    const auth: AuthInfo = { userId: 'u1', sessionId: 's1', role: Role.CUSTOMER };
    const session = { id: 'c1', conversationType: ConversationType.REFLECTION } as ChatSession;
    const events: string[] = [];
    const outcome = await runTool(
      { id: 'x', name: 'propose_transfer', arguments: JSON.stringify({ fromAccountId: '0'.repeat(36), amountMinor: '100', currency: 'USD' }) },
      {
        services: servicesFor,
        clock: { now: () => new Date() },
        logger: { error: vi.fn() } as never,
        auth,
        session,
        writer: { emit: (type: string) => (events.push(type), undefined as never) },
        signal: new AbortController().signal,
      },
    );
    expect(outcome.record).toMatchObject({ ok: false, result: { error: { code: 'TOOL_NOT_OFFERED' } } });
    expect((outcome.record.result as { error: { message: string } }).error.message).toContain('list_journal_entries, list_goals');
    expect(servicesFor).not.toHaveBeenCalled();
    expect(propose).not.toHaveBeenCalled();
    expect(events).not.toContain('TransferProposed');
  });
});
