/** Every topic and its payload, in one place. Keys scope a topic (a user id, a run id, ...). */
export enum Topic {
  /** key: user id */
  AUTH_SESSION = 'AUTH_SESSION',
  /** key: "all": every instance ends the sockets of a revoked session */
  SESSION_REVOKED = 'SESSION_REVOKED',
  /** key: the account owner's user id: one entry posted on one of their accounts */
  ACCOUNT_ACTIVITY = 'ACCOUNT_ACTIVITY',
  /** key: run id: every event of one agent run, in seq order */
  AGENT_RUN = 'AGENT_RUN',
  /** key: chat session id: every event of every run in the session */
  CHAT_SESSION = 'CHAT_SESSION',
  /** key: "all": asks whichever instance executes the run to stop it */
  AGENT_CANCEL = 'AGENT_CANCEL',
  /** key: user id: a jar went over its allocation in a month (once per jar and month) */
  BUDGET_ALERT = 'BUDGET_ALERT',
  /** key: the goal owner's user id: a savings goal reached its target */
  GOAL_ACHIEVED = 'GOAL_ACHIEVED',
  /** key: user id: a linked account synced, needs a sign-in, was relinked or unlinked */
  LINKED_ACCOUNT = 'LINKED_ACCOUNT',
  /** key: group id: a member, expense or settlement change in that group */
  GROUP_EVENT = 'GROUP_EVENT',
}

export interface AuthSessionEventPayload {
  kind: 'CREATED' | 'REVOKED';
  userId: string;
  sessionId: string;
  at: string;
  userAgent: string | null;
  ipAddress: string | null;
}

export interface SessionRevokedPayload {
  userId: string;
  sessionIds: string[];
}

/** JSON-safe snapshot of a transfer: amounts as digit strings, times as ISO strings. */
export interface TransferData {
  id: string;
  status: string;
  origin: string;
  amountMinor: string;
  currency: string;
  fromAccountId: string;
  toAccountId: string;
  fromUserId: string | null;
  toUserId: string | null;
  initiatorId: string;
  fromAccountNumber: string | null;
  toAccountNumber: string;
  description: string | null;
  idempotencyKey: string | null;
  createdAt: string;
  postedAt: string | null;
  expiresAt: string | null;
}

export interface LedgerEntryData {
  id: string;
  accountId: string;
  transferId: string;
  seq: number;
  direction: string;
  amountMinor: string;
  balanceAfterMinor: string;
  currency: string;
  description: string | null;
  postedAt: string;
}

/** Complete, so the subscription renders it without reading the database. */
export interface AccountActivityPayload {
  userId: string;
  entry: LedgerEntryData;
  transfer: TransferData;
}

/** JSON-safe copy of a chat message inside an agent event (see agent/snapshots.ts). */
export interface MessageSnapshot {
  id: string;
  session: { id: string };
  role: 'USER' | 'ASSISTANT' | 'SYSTEM';
  content: string;
  createdAt: string;
  runId: string | null;
  /** Absent in events stored before messages had parents. */
  parent?: { id: string } | null;
  /** Who wrote a USER message; absent in events stored before authors were kept. */
  author?: { id: string } | null;
}

/** JSON-safe copy of a draft inside an agent event (see agent/snapshots.ts). */
export interface DraftSnapshot {
  id: string;
  session: { id: string };
  sections: Array<{ name: string; content: string }>;
  createdAt: string;
  updatedAt: string;
}

/**
 * Every agent event name and its data: the one list that `emit`, the GraphQL event
 * classes (agent.events.ts) and the replay from the store are checked against.
 */
export interface AgentEventData {
  RunStarted: { userMessage: MessageSnapshot | null };
  MessageAdded: { message: MessageSnapshot };
  ThinkingStep: { stepId: string; label: string; done: boolean };
  ReasoningDelta: { delta: string };
  ToolCallStarted: { callId: string; tool: string; arguments: unknown };
  ToolCallFinished: { callId: string; tool: string; ok: boolean; result: unknown };
  TokenDelta: { messageId: string | null; delta: string };
  DraftUpdated: { draft: DraftSnapshot };
  TransferProposed: { transfer: TransferData };
  /** `reason`: the error class of the provider left behind (RATE_LIMITED, UNAVAILABLE, ...). */
  ProviderFallback: { from: string; to: string; reason: string };
  ActiveLeafChanged: { leaf: MessageSnapshot };
  RunFinished: {
    status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
    message: MessageSnapshot | null;
    usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
    error: { code: string; message: string } | null;
  };
}

export type AgentEventName = keyof AgentEventData;

/** One agent event of type K as stored and published: complete, so subscribers need no database. */
export interface AgentEventOf<K extends AgentEventName> {
  runId: string;
  sessionId: string;
  seq: number;
  at: string;
  type: K;
  data: AgentEventData[K];
}

/** An agent event of one of the types K (any, by default), as a union that `type` narrows. */
export type AgentEventPayload<K extends AgentEventName = AgentEventName> = { [P in K]: AgentEventOf<P> }[K];

/** JSON-safe and complete: the subscription renders it without the database. */
export interface BudgetAlertPayload {
  userId: string;
  jar: { id: string; name: string; description: string | null; allocationBasisPoints: number; categories: string[]; archived: boolean; createdAt: string };
  month: string;
  currency: string;
  allocatedMinor: string;
  spentMinor: string;
}

/** JSON-safe snapshot of a goal as it became ACHIEVED: amounts as digit strings, times as ISO strings. */
export interface GoalData {
  id: string;
  userId: string;
  title: string;
  description: string | null;
  horizon: string;
  status: string;
  priority: string;
  targetDate: string | null;
  targetMinor: string | null;
  currency: string | null;
  accountId: string | null;
  balanceMinor: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TopicPayloads {
  [Topic.AUTH_SESSION]: AuthSessionEventPayload;
  [Topic.SESSION_REVOKED]: SessionRevokedPayload;
  [Topic.ACCOUNT_ACTIVITY]: AccountActivityPayload;
  [Topic.AGENT_RUN]: AgentEventPayload;
  [Topic.CHAT_SESSION]: AgentEventPayload;
  /** `error`: why the run was cancelled for the user (signed out everywhere, ...); none for their own cancel. */
  [Topic.AGENT_CANCEL]: { runId: string; error?: { code: string; message: string } };
  [Topic.BUDGET_ALERT]: BudgetAlertPayload;
  [Topic.GOAL_ACHIEVED]: GoalData;
  [Topic.LINKED_ACCOUNT]: LinkedAccountEventPayload;
  [Topic.GROUP_EVENT]: GroupEventData;
}

/** JSON-safe snapshot of a linked account, as events carry it: amounts as digit strings, times as ISO strings. */
export interface LinkedAccountData {
  id: string;
  institutionId: string;
  institutionName: string;
  name: string;
  mask: string | null;
  kind: string;
  currency: string;
  balanceMinor: string | null;
  status: string;
  lastSyncedAt: string | null;
}

export interface LinkedAccountEventPayload {
  userId: string;
  kind: 'SYNCED' | 'LOGIN_REQUIRED' | 'RELINKED' | 'UNLINKED';
  account: LinkedAccountData;
  sync: { added: number; modified: number; removed: number } | null;
}

/** A member as others see them (PublicUser). */
export interface UserData {
  id: string;
  username: string;
}

export interface GroupData {
  id: string;
  name: string;
  currency: string;
  createdAt: string;
}

/** JSON-safe group expense: amounts as digit strings, times as ISO strings. */
export interface GroupExpenseData {
  id: string;
  group: GroupData;
  description: string;
  amountMinor: string;
  category: string;
  occurredOn: string;
  splitMode: string;
  paidBy: Array<{ user: UserData; amountMinor: string }>;
  shares: Array<{ user: UserData; amountMinor: string; weight: number | null }>;
  createdBy: UserData;
  version: number;
  deleted: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface SettlementData {
  id: string;
  group: GroupData;
  from: UserData;
  to: UserData;
  amountMinor: string;
  status: string;
  transferId: string | null;
  createdAt: string;
}

/** Complete, so groupEvents renders it without reading the database. */
export interface GroupEventData {
  kind: string;
  group: GroupData;
  expense: GroupExpenseData | null;
  settlement: SettlementData | null;
  member: UserData | null;
  at: string;
}
