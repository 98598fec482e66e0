import type { PlanningContext } from './llm/provider.js';

/** At most this many goals reach the prompt, most important first. */
export const MAX_GOALS = 10;
/** Characters the goals-and-plan section may take; lines beyond it are cut, the cut counted. */
export const PLANNING_BUDGET = 1500;

/**
 * The goals-and-plan section of the system prompt (PLANNING and COACHING): the active goals
 * (the session's goal first, then by priority, at most MAX_GOALS) in at most half the budget, then
 * the day's items, or the week's focus areas when the day is empty. Pure: what goes in and what is cut is testable.
 */
export function planningSection(ctx: PlanningContext, budget = PLANNING_BUDGET): string {
  const goals = [...ctx.goals].sort((a, b) => Number(b.id === ctx.focusGoalId) - Number(a.id === ctx.focusGoalId)).slice(0, MAX_GOALS);
  const goalLines = goals.map((g) => {
    const parts = [`- ${g.title} (id ${g.id}, ${g.priority.toLowerCase()} priority`];
    if (g.targetDate) parts.push(`, by ${g.targetDate}`);
    if (g.target) parts.push(`, saved ${g.progress ?? 'nothing'} of ${g.target}${g.progressPercent === null ? '' : ` = ${g.progressPercent}%`}`);
    return `${parts.join('')})${g.id === ctx.focusGoalId ? ' <- this conversation is about it' : ''}`;
  });
  const planLines = ctx.day.items.length
    ? ctx.day.items.map((i) => `- ${i.time ? `${i.time} ` : ''}${i.title} [${i.status}] (id ${i.id})`)
    : ctx.focusAreas.map((f) => `- ${f}`);
  const planHeading = ctx.day.items.length
    ? `Plan for ${ctx.day.date}${ctx.day.date === ctx.today ? ' (today)' : ''}:`
    : ctx.focusAreas.length
      ? `Nothing planned for ${ctx.day.date}; this week's focus areas:`
      : `Nothing planned for ${ctx.day.date} and no focus areas this week.`;

  const out = [`Today is ${ctx.today} in the user's time zone; the week started on ${ctx.weekStart}.`];
  let used = out[0]!.length;
  const fit = (heading: string, lines: string[], none: string, limit: number) => {
    used += heading.length + 1;
    out.push(heading);
    if (lines.length === 0) {
      out.push(none);
      used += none.length + 1;
      return;
    }
    let kept = 0;
    for (const line of lines) {
      if (used + line.length + 1 > limit) break;
      out.push(line);
      used += line.length + 1;
      kept++;
    }
    if (kept < lines.length) out.push(`- ... ${lines.length - kept} more not shown`);
  };
  // Goals may take half of what is left, so a long goal list never crowds out the plan.
  fit('Active goals (most important first):', goalLines, '- none', used + Math.floor((budget - used) / 2));
  fit(planHeading, planLines, '', budget);
  return out.filter((l) => l !== '').join('\n');
}
