import { contentToText, type RunAgentInput } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { badUserInput } from '../../shared/errors.js';

/** What POST /agui starts: a run answering `text` in the caller's session `threadId`, or in a new GENERAL session. */
export interface AgUiRunRequest {
  threadId: string | null;
  text: string;
  /** AG-UI's runId as sendMessage's clientMessageId: the same request sent again streams the first run instead of starting another. */
  clientRunId: string | null;
}

const MAX_TEXT = 10_000;
const MAX_CLIENT_ID = 200;

/**
 * AG-UI's RunAgentInput, checked with AG-UI's own schema. The session keeps the history, so only
 * the last user message is read; tools, context and state of the client are not used.
 */
export function readRunAgentInput(body: unknown): AgUiRunRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badUserInput([{ field: 'body', message: 'must be a RunAgentInput JSON object' }]);
  }
  // No threadId is a new conversation; the schema requires one, so it is read as the empty one.
  const raw = body as Record<string, unknown>;
  const parsed = RunAgentInputSchema.safeParse({ ...raw, threadId: raw.threadId ?? '' });
  if (!parsed.success) {
    throw badUserInput(parsed.error.issues.slice(0, 10).map((issue) => ({ field: issue.path.join('.') || 'body', message: issue.message })));
  }
  const input = parsed.data as RunAgentInput;
  const last = input.messages.findLast((m) => m.role === 'user');
  if (!last) throw badUserInput([{ field: 'messages', message: 'must hold a user message: the one the assistant answers' }]);
  const text = contentToText(last.content);
  if (text.length > MAX_TEXT || !/\S/.test(text)) {
    throw badUserInput([{ field: 'messages', message: `the last user message must be 1 to ${MAX_TEXT.toLocaleString('en')} characters, not blank` }]);
  }
  const runId = input.runId.trim();
  if (runId.length > MAX_CLIENT_ID) throw badUserInput([{ field: 'runId', message: `must be at most ${MAX_CLIENT_ID} characters` }]);
  return { threadId: input.threadId === '' ? null : input.threadId, text, clientRunId: runId === '' ? null : runId };
}
