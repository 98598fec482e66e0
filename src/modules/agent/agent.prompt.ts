import { DomainError } from '../../shared/errors.js';
import { money } from '../../shared/money.js';
import type { AuthInfo } from '../auth/auth.types.js';
import { ConversationType, type ChatSession } from '../chat/chat-session.entity.js';
import { profileLines } from './agent-profile.rules.js';
import { MAX_GOALS, planningSection } from './agent.context.js';
import type { AgentBudget, AgentContext, AgentLinkedAccount, GroupContext, PlanningContext } from './llm/provider.js';
import { goalSummary } from './tools/plan.tools.js';
import type { ToolServices } from './tools/tool.js';

/** What the agent knows of the user at the start of each turn. */
export async function buildAgentContext(services: ToolServices, auth: AuthInfo, session: ChatSession): Promise<AgentContext> {
  // Every member reads a GROUP conversation: nothing of one member's own money goes into it.
  const shared = session.conversationType === ConversationType.GROUP;
  const [template, preferences, accounts] = await Promise.all([
    services.templates.active(auth.userId),
    services.preferences.get(auth.userId),
    shared ? [] : services.accounts.list(auth),
  ]);
  const draft = session.conversationType === ConversationType.JOURNALING ? await services.drafts.draftFor(session) : null;
  const draftSections = (draft?.sections ?? []).filter((s) => s.content.trim() !== '').map((s) => ({ name: s.name, content: s.content }));
  const filled = new Set(draftSections.map((s) => s.name));
  return {
    conversationType: session.conversationType,
    templateSections: template.sections.map((s) => ({ name: s.name, description: s.description, aliases: [...s.aliases] })),
    draftSections,
    emptySections: template.sections.map((s) => s.name).filter((n) => !filled.has(n)),
    accounts: accounts.map((a) => ({ id: a.id, name: a.name, number: a.number, currency: a.currency, balance: money(a.balance, a.currency).decimal })),
    preferences: { preferredFeedbackStyle: preferences.preferredFeedbackStyle, purposeStatement: preferences.purposeStatement },
    ...(shared
      ? {}
      : {
          profile: {
            longTermGoals: [...(preferences.longTermGoals ?? [])],
            knownChallenges: [...(preferences.knownChallenges ?? [])],
            glossary: (preferences.personalGlossary ?? []).map((t) => ({ term: t.term, definition: t.definition })),
          },
        }),
    ...(session.conversationType === ConversationType.COACHING
      ? { budget: await budgetContext(services, auth), linkedAccounts: await linkedContext(services, auth) }
      : {}),
    ...(WITH_PLANNING.has(session.conversationType) ? { planning: await planningContext(services, auth, session) } : {}),
    ...(session.conversationType === ConversationType.GROUP ? withGroup(await groupContext(services, auth, session)) : {}),
  };
}

const withGroup = (group: GroupContext | undefined) => (group ? { group } : {});

async function groupContext(services: ToolServices, auth: AuthInfo, session: ChatSession): Promise<GroupContext | undefined> {
  // With the groups flag off (its tools are too) the assistant answers without the group.
  const group = await services.groups.bySession(auth, session.id).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'FEATURE_DISABLED') return null;
    throw error;
  });
  if (!group) return undefined;
  const members = await services.groups.members(auth, group.id);
  const me = members.find((m) => m.user.id === auth.userId)?.user.username ?? '';
  return { name: group.name, currency: group.currency, members: members.map((m) => m.user.username), me };
}

const WITH_PLANNING = new Set([ConversationType.PLANNING, ConversationType.COACHING]);

/** Active goals (top MAX_GOALS by priority), the session's day (or today) and this week's focus areas. */
async function planningContext(services: ToolServices, auth: AuthInfo, session: ChatSession): Promise<PlanningContext> {
  const { today, weekStart } = await services.plans.calendar(auth);
  const date = session.contextPlanDate ?? today;
  const [goals, day, week] = await Promise.all([services.goals.active(auth, MAX_GOALS), services.plans.day(auth, date), services.plans.week(auth, weekStart)]);
  return {
    today,
    weekStart,
    goals: goals.map(goalSummary),
    day: { date, items: (day?.items ?? []).map((i) => ({ id: i.id, title: i.title, time: i.time, status: i.status })) },
    focusAreas: week?.focusAreas ?? [],
    focusGoalId: session.contextGoal?.id ?? null,
  };
}

async function budgetContext(services: ToolServices, auth: AuthInfo): Promise<AgentBudget> {
  const o = await services.budget.overview(auth);
  const jars = o.jars.map((j) => ({
    name: j.jar.name,
    allocationBasisPoints: j.jar.allocationBasisPoints,
    allocated: j.allocated.decimal,
    spent: j.spent.decimal,
    remaining: j.remaining.decimal,
  }));
  const insights = await services.insights.spendingInsights(auth, o.month, o.budget.currency);
  const spentBySource = insights.bySource.map((s) => ({ source: s.source, spent: s.spent.decimal, transactions: s.transactions }));
  return { month: o.month, currency: o.budget.currency, monthlyIncome: o.budget.monthlyIncome?.decimal ?? null, jars, spentBySource };
}

async function linkedContext(services: ToolServices, auth: AuthInfo): Promise<AgentLinkedAccount[]> {
  return (await services.linking.list(auth)).map((a) => ({
    name: a.name,
    bank: a.institution.name,
    mask: a.mask,
    currency: a.currency,
    balance: a.balance?.decimal ?? null,
    status: a.status,
    lastSyncedAt: a.lastSyncedAt?.toISOString() ?? null,
  }));
}

/** The linked banks' block: balances as last reported, and which need the user to sign in again. */
function linkedLines(accounts: AgentLinkedAccount[]): string[] {
  if (accounts.length === 0) return ['The user has linked no account at another bank.'];
  return [
    "The user's accounts at other banks (linked, read-only; balances as the bank last reported them):",
    ...accounts.map(
      (a) =>
        `- ${a.name}${a.mask ? ` (ending ${a.mask})` : ''} at ${a.bank}: ${a.balance === null ? 'balance unknown' : `${a.balance} ${a.currency}`}, ${a.status}` +
        `${a.lastSyncedAt ? `, last synced ${a.lastSyncedAt}` : ', never synced'}`,
    ),
  ];
}

const SOURCE_NAMES: Record<string, string> = {
  CARD: 'cards',
  TRANSFER: 'transfers to others',
  MANUAL: 'entered by hand (cash)',
  LINKED: 'linked banks',
  GROUP: 'own shares of group expenses',
};

/** The coaching block of the system prompt: income and jars this month, so the model can nudge without a tool call. */
function budgetLines(b: AgentBudget): string[] {
  return [
    `The user's budget for ${b.month} (${b.currency}): income ${b.monthlyIncome ?? 'not set'} per month.`,
    ...b.jars.map((j) => `- Jar ${j.name} (${j.allocationBasisPoints / 100}%): allocated ${j.allocated}, spent ${j.spent}, remaining ${j.remaining}`),
    `Spent in ${b.month} by source (${b.currency}; jars count every source): ${b.spentBySource.map((s) => `${SOURCE_NAMES[s.source] ?? s.source} ${s.spent} (${s.transactions})`).join(', ')}.`,
    'Coach the user on staying within their jars; use budget_overview, spending_insights and list_transactions for details.',
  ];
}

export function systemPrompt(context: AgentContext): string {
  const lines = [
    'You are Coach, a warm and precise assistant for personal money and journaling.',
    `Feedback style the user prefers: ${context.preferences.preferredFeedbackStyle.toLowerCase()}.`,
  ];
  if (context.preferences.purposeStatement && !context.group) lines.push(`The user's purpose: ${context.preferences.purposeStatement}`);
  if (context.profile) lines.push(...profileLines(context.profile).lines);
  if (context.conversationType === 'JOURNALING') {
    lines.push(
      'This is a journaling session. Put what the user shares into their draft with structure_journal, using these sections:',
      ...context.templateSections.map((s) => `- ${s.name}: ${s.description}${s.aliases.length ? ` (also called ${s.aliases.join(', ')})` : ''}`),
      context.draftSections.length ? `The draft so far:\n${context.draftSections.map((s) => `## ${s.name}\n${s.content}`).join('\n')}` : 'The draft is empty.',
      context.emptySections.length
        ? `Sections still empty: ${context.emptySections.join(', ')}. Gently invite the user to fill them.`
        : 'Every section has content.',
      'Save the draft with save_journal only when the user clearly asks to save it.',
    );
  }
  if (context.conversationType === 'REFLECTION') {
    lines.push(
      'This is a reflection session: help the user look back. Read their journal entries with list_journal_entries and their goals with list_goals.',
      'Point out patterns, progress and what they seem to have learned, quoting their own words; ask one open question at a time.',
      'Do not plan, propose transfers or judge; suggest a planning session if they want to act on what they found.',
    );
  }
  if (context.conversationType === 'PLANNING') {
    lines.push('This is a planning session: help the user set goals and plan days with the goal and plan tools. Dates are YYYY-MM-DD in their time zone.');
  }
  if (context.planning) lines.push(planningSection(context.planning));
  if (context.group) {
    const g = context.group;
    lines.push(
      `This is the shared conversation of the group "${g.name}" (${g.currency}); its members: ${g.members.join(', ')}. The message you answer is ${g.me}'s ("me").`,
      'Read balances with group_balances, expenses with list_group_expenses, and who should pay whom with suggest_settlements.',
      'You never add an expense yourself: propose_group_expense prepares one that a member confirms in the app.',
    );
  }
  if (context.accounts.length > 0) {
    lines.push("The user's accounts:", ...context.accounts.map((a) => `- ${a.name} (${a.number}, id ${a.id}): ${a.balance} ${a.currency}`));
  }
  if (context.budget) lines.push(...budgetLines(context.budget));
  if (context.linkedAccounts) lines.push(...linkedLines(context.linkedAccounts));
  lines.push(
    'You never move money yourself: propose_transfer prepares a transfer that the user confirms in the app.',
    'You never freeze, unfreeze or cancel a card yourself: find the card with list_cards and tell the user to confirm with freezeCard in the app.',
    'Amounts are exact: pass amountMinor as an integer string of minor units.',
  );
  return lines.join('\n');
}
