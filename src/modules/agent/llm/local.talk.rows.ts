/** The rows that need no tool: a greeting, a request for help, an open question, and words no other row reads. */
import * as reply from './local.replies.js';
import type { Row } from './local.row.js';

const GREETING = /^(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening)|greetings)\b[\s!.,]*(?:there)?[\s!.]*$/i;
const HELP = /^(?:help\b|commands\b)|\b(?:what can you (?:do|help with)|who are you|what are you|how does this work|what do you do)\b/i;

export const greeting: Row<object> = {
  kind: 'greeting',
  match: ({ text }) => (GREETING.test(text) ? {} : undefined),
  reply: (_, { context, capabilities }) => reply.greeting(capabilities, context),
};

export const help: Row<object> = {
  kind: 'help',
  match: ({ text }) => (HELP.test(text) && text.length < 80 ? {} : undefined),
  reply: (_, { capabilities }) => reply.fallback(capabilities),
};

export const question: Row<object> = {
  kind: 'question',
  match: ({ text }) => (/\?\s*$/.test(text) ? {} : undefined),
  reply: (_, { context, capabilities }) => (context.conversationType === 'JOURNALING' ? reply.journalQuestion(context) : reply.fallback(capabilities)),
};

export const unknown: Row<object> = {
  kind: 'unknown',
  match: () => ({}),
  reply: (_, { capabilities }) => reply.fallback(capabilities),
};
