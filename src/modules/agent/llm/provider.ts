/** The one interface the agent runner talks to; each LLM backend implements it in its own file. */

export interface ToolCallRequest {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it ('{}' when the model sent none). */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; toolCallId: string; name: string; /** JSON text of the result */ content: string };

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON schema, type object */
  parameters: Record<string, unknown>;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type ConversationType = 'GENERAL' | 'JOURNALING' | 'COACHING' | 'REFLECTION' | 'PLANNING' | 'GROUP';
export type FeedbackStyle = 'SUPPORTIVE' | 'DIRECT' | 'ENCOURAGING';

/** Structured facts the system prompt is also built from; the local provider reads these. */
export interface AgentContext {
  conversationType: ConversationType;
  templateSections: Array<{ name: string; description: string; aliases: string[] }>;
  /** Current draft content (JOURNALING). */
  draftSections: Array<{ name: string; content: string }>;
  emptySections: string[];
  accounts: Array<{ id: string; name: string; number: string; currency: string; /** decimal */ balance: string }>;
  preferences: { preferredFeedbackStyle: FeedbackStyle; purposeStatement: string | null };
  /** Long-term goals, known challenges and the personal glossary from the preferences; absent: none. */
  profile?: AgentProfile;
  /** COACHING only: the budget this month (amounts as decimal text in its currency). */
  budget?: AgentBudget;
  /** COACHING only: the user's accounts at other banks, balances as their bank last reported them. */
  linkedAccounts?: AgentLinkedAccount[];
  /** Goals and plan (PLANNING and COACHING sessions). */
  planning?: PlanningContext;
  /** GROUP sessions: the group the conversation belongs to. */
  group?: GroupContext;
}

export interface GroupContext {
  name: string;
  currency: string;
  /** Current members, in join order. */
  members: string[];
  /** The member whose message this run answers. */
  me: string;
}

export interface AgentProfile {
  longTermGoals: string[];
  knownChallenges: string[];
  glossary: Array<{ term: string; definition: string }>;
}

export interface AgentBudget {
  month: string;
  currency: string;
  monthlyIncome: string | null;
  jars: Array<{ name: string; allocationBasisPoints: number; allocated: string; spent: string; remaining: string }>;
  /** The month's spending per source (CARD, TRANSFER, MANUAL, LINKED), decimal text in the budget currency. */
  spentBySource: Array<{ source: string; spent: string; transactions: number }>;
}

export interface AgentLinkedAccount {
  name: string;
  bank: string;
  mask: string | null;
  currency: string;
  /** Decimal text; null when the bank sent none. */
  balance: string | null;
  status: string;
  lastSyncedAt: string | null;
}

export interface PlanningContext {
  /** 'YYYY-MM-DD' in the user's time zone. */
  today: string;
  weekStart: string;
  /** Active goals, most important first. */
  goals: Array<{
    id: string;
    title: string;
    priority: string;
    targetDate: string | null;
    target: string | null;
    progress: string | null;
    progressPercent: number | null;
  }>;
  /** The day the session is about (its context date, else today). */
  day: { date: string; items: Array<{ id: string; title: string; time: string | null; status: string }> };
  /** This week's focus areas; empty when the week has no plan. */
  focusAreas: string[];
  /** The goal the session was opened about, if any. */
  focusGoalId: string | null;
}

export interface ProviderRequest {
  messages: ChatMessage[];
  tools: ToolDefinition[];
  context: AgentContext;
  signal: AbortSignal;
}

export type ProviderEvent =
  | { type: 'text'; delta: string }
  | { type: 'reasoning'; delta: string }
  /** Emitted once, fully assembled, after the model finished it. */
  | { type: 'tool_call'; call: ToolCallRequest }
  | { type: 'usage'; usage: TokenUsage };

export interface LlmProvider {
  /** 'openai' | 'local' */
  readonly name: string;
  readonly model: string;
  /**
   * One model turn. Ends when the model's turn ends. Throws ProviderError.
   * When `signal` aborts it stops promptly and throws ProviderError('CANCELLED').
   */
  stream(request: ProviderRequest): AsyncIterable<ProviderEvent>;
}

export type ProviderErrorCode = 'PROVIDER_ERROR' | 'TIMEOUT' | 'CANCELLED';

/** The provider's error class: what the chain does about a failure (docs/providers.md). */
export type ProviderFailure = 'RATE_LIMITED' | 'TIMEOUT' | 'UNAVAILABLE' | 'AUTH' | 'BAD_REQUEST' | 'CONTEXT_TOO_LONG';

export class ProviderError extends Error {
  /** Unset for a cancellation. */
  readonly failure: ProviderFailure | undefined;
  /** The server's retry-after hint, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    /** True when events of this turn had already been yielded: the turn must not be replayed. */
    readonly afterOutput: boolean,
    options?: { cause?: unknown; failure?: ProviderFailure; retryAfterMs?: number },
  ) {
    super(message, options);
    this.failure = options?.failure ?? (code === 'TIMEOUT' ? 'TIMEOUT' : code === 'PROVIDER_ERROR' ? 'UNAVAILABLE' : undefined);
    this.retryAfterMs = options?.retryAfterMs;
    // 'AbortError' lets generic abort handling (name checks) recognise a cancellation.
    this.name = code === 'CANCELLED' ? 'AbortError' : 'ProviderError';
  }
}

/** Resolves after `ms`, or throws ProviderError('CANCELLED') as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal, afterOutput: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new ProviderError('CANCELLED', 'The run was cancelled', afterOutput);
    if (signal.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
