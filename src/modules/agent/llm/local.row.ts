/** One row of the offline assistant's intent table, and what its functions are given. */
import type { ToolName } from '../tools/tool-labels.js';
import type { Action, Done } from './local.action.js';
import type { AgentContext, ChatMessage, ConversationType } from './provider.js';

/** A user message as the rows read it. */
export interface Said {
  /** Trimmed, with typographic apostrophes straightened ("what’s" reads as "what's"). */
  text: string;
  /** Trimmed only: what goes into a journal keeps the user's own characters. */
  raw: string;
  conversationType: ConversationType;
}

/** The conversation so far, for this message. */
export interface Turn {
  /** This message's tool calls with their results. */
  done: Done[];
  context: AgentContext;
  tools: Set<string>;
  now: Date;
  messages: ChatMessage[];
  /** What the assistant can do here, from the offered rows' examples. */
  capabilities: string;
}

export interface Row<T = unknown> {
  /** What the words ask for. */
  kind: string;
  /** The tool that answers it; none when the conversation alone answers. */
  tool?: ToolName;
  /** The words mean this only where the tool is offered; elsewhere later rows read them ("I did the gym" is journal text). */
  onlyWhereOffered?: boolean;
  /** What it does and what to say for it, for the list of what the assistant can do. */
  example?: string;
  /** The request's details, or undefined when the words are not this request. */
  match(said: Said): T | undefined;
  /** The tool's arguments, or a move first: a question back, or a call that finds what the arguments need. */
  arguments?(data: T, turn: Turn): Record<string, unknown> | Action;
  /** The answer from the tool's result (none for a row without a tool), or one more call first. */
  reply(data: T, turn: Turn, result: unknown): string | Action;
}

export function hear(message: string, conversationType: ConversationType): Said {
  const raw = message.trim();
  return { raw, text: raw.replace(/[‘’]/g, "'"), conversationType };
}
