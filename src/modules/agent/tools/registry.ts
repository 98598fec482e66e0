import { AuditAction } from '../../audit/audit.types.js';
import type { ValidateFunction } from 'ajv';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '../../../shared/clock.js';
import { DomainError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { AuthInfo } from '../../auth/auth.types.js';
import type { ChatSession } from '../../chat/chat-session.entity.js';
import type { StoredStep, StoredToolCall } from '../agent-run.entity.js';
import type { RunEventWriter } from '../agent-event.store.js';
import type { ToolCallRequest } from '../llm/provider.js';
import type { ConversationType } from '../../chat/chat-session.entity.js';
import { BUDGET_TOOLS } from './budget.tools.js';
import { CARD_TOOLS } from './card.tools.js';
import { CONVERSATION_TOOLS } from './conversation-tools.js';
import { GROUP_TOOLS } from './group.tools.js';
import { JOURNAL_TOOLS } from './journal.tools.js';
import { MONEY_TOOLS } from './money.tools.js';
import { PLAN_TOOLS } from './plan.tools.js';
import { TOOL_LABELS } from './tool-labels.js';
import { TRANSACTION_TOOLS } from './transaction.tools.js';
import type { Tool, ToolServices } from './tool.js';
import type { FlagKey } from '../../../flags/flags.catalog.js';

/** Each tool family and the flag that switches it off for a user. */
/** The feed's tools that reach other banks: off with the linked-accounts flag. */
const LINKED_TOOLS = new Set(['list_linked_accounts', 'sync_linked_accounts']);

export const TOOL_FAMILIES: ReadonlyArray<{ flag: FlagKey; tools: Tool[] }> = [
  { flag: 'tools.journal', tools: JOURNAL_TOOLS },
  { flag: 'tools.money', tools: MONEY_TOOLS },
  { flag: 'tools.cards', tools: CARD_TOOLS },
  { flag: 'tools.budget', tools: BUDGET_TOOLS },
  { flag: 'tools.plans', tools: PLAN_TOOLS },
  { flag: 'tools.budget', tools: TRANSACTION_TOOLS.filter((t) => !LINKED_TOOLS.has(t.definition.name)) },
  { flag: 'linked-accounts', tools: TRANSACTION_TOOLS.filter((t) => LINKED_TOOLS.has(t.definition.name)) },
  { flag: 'groups', tools: GROUP_TOOLS },
];

/** Every tool there is; a session sees only its type's (toolsFor). */
const TOOLS: Tool[] = TOOL_FAMILIES.flatMap((f) => f.tools);

/** The tools a conversation type offers (the one table in conversation-tools.ts), less the families switched off. */
export function toolsFor(type: ConversationType, switchedOff: ReadonlySet<FlagKey> = new Set()): Tool[] {
  const names = new Set(CONVERSATION_TOOLS[type]);
  const off = new Set(TOOL_FAMILIES.filter((f) => switchedOff.has(f.flag)).flatMap((f) => f.tools));
  return TOOLS.filter((t) => names.has(t.definition.name) && !off.has(t));
}

let validators: Promise<Map<string, ValidateFunction>> | undefined;

/** The tools' argument validators, compiled at the first tool call (ajv is ~60 files and compiling takes a while: not at start). */
function toolValidators(): Promise<Map<string, ValidateFunction>> {
  return (validators ??= import('ajv').then(({ Ajv }) => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    return new Map(TOOLS.map((t) => [t.definition.name, ajv.compile(t.definition.parameters)]));
  }));
}

export interface ToolOutcome {
  step: StoredStep;
  record: StoredToolCall;
}

/**
 * Runs one tool call as the session's user, through the services of a fresh
 * EntityManager fork (`env.services()`). Bad arguments and refused operations come back as a result the
 * model can read ({ error: { code, message } }), never as a crash of the run.
 */
export async function runTool(
  call: ToolCallRequest,
  env: {
    services: () => ToolServices;
    clock: Clock;
    logger: Logger;
    auth: AuthInfo;
    session: ChatSession;
    writer: Pick<RunEventWriter, 'emit'>;
    signal: AbortSignal;
    /** Tool families whose flag is off for this user: a call to one is refused. */
    switchedOff?: ReadonlySet<FlagKey>;
  },
): Promise<ToolOutcome> {
  const offered = toolsFor(env.session.conversationType, env.switchedOff);
  const family = TOOL_FAMILIES.find((f) => f.tools.some((t) => t.definition.name === call.name));
  const known = TOOLS.find((t) => t.definition.name === call.name);
  const tool = offered.find((t) => t.definition.name === call.name);
  const step: StoredStep = {
    id: uuidv7(),
    label: tool ? TOOL_LABELS[tool.definition.name].step : `Trying ${call.name}`,
    startedAt: env.clock.now().toISOString(),
    finishedAt: null,
  };
  env.writer.emit('ThinkingStep', { stepId: step.id, label: step.label, done: false });

  let args: unknown = call.arguments;
  let result: Record<string, unknown>;
  let ok = false;
  try {
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    // reported to the model below
  }
  env.writer.emit('ToolCallStarted', { callId: call.id, tool: call.name, arguments: args });

  if (known && !tool && family && env.switchedOff?.has(family.flag)) {
    result = toolError(
      'FEATURE_DISABLED',
      `${call.name} is switched off (flag "${family.flag}"). Tools here: ${offered.map((t) => t.definition.name).join(', ')}`,
    );
  } else if (known && !tool) {
    result = toolError(
      'TOOL_NOT_OFFERED',
      `${call.name} is not available in a ${env.session.conversationType} conversation. Tools here: ${offered.map((t) => t.definition.name).join(', ')}`,
    );
  } else if (!tool) {
    result = toolError('UNKNOWN_TOOL', `There is no tool named "${call.name}". Tools: ${offered.map((t) => t.definition.name).join(', ')}`);
  } else if (typeof args === 'string') {
    result = toolError('INVALID_ARGUMENTS', 'The arguments are not valid JSON');
  } else if (!(await toolValidators()).get(call.name)!(args)) {
    const errors = (await toolValidators()).get(call.name)!.errors ?? [];
    result = toolError('INVALID_ARGUMENTS', errors.map((e) => `${e.instancePath || 'arguments'} ${e.message ?? 'is invalid'}`).join('; '));
  } else {
    const services = env.services();
    let outcome = 'SUCCEEDED';
    try {
      result = await tool.execute(args as Record<string, unknown>, {
        services,
        auth: env.auth,
        session: env.session,
        writer: env.writer,
        deps: { clock: env.clock },
      });
      ok = true;
    } catch (error) {
      if (error instanceof DomainError) {
        outcome = error.code;
        result = toolError(error.code, error.message, error.extensions.fields);
      } else {
        outcome = 'INTERNAL';
        env.logger.error({ err: error, tool: call.name }, 'agent tool failed');
        result = toolError('INTERNAL', 'The tool failed unexpectedly');
      }
    }
    if (tool.money) {
      // The actor is the user whose run it is; the target names the tool and the session.
      await services.audit.recordAlone(
        services.audit.event(AuditAction.TOOL_CALLED, outcome, { userId: env.auth.userId, target: `tool:${call.name} session:${env.session.id}` }),
      );
    }
  }

  env.writer.emit('ToolCallFinished', { callId: call.id, tool: call.name, ok, result });
  step.finishedAt = env.clock.now().toISOString();
  env.writer.emit('ThinkingStep', { stepId: step.id, label: step.label, done: true });
  return { step, record: { id: call.id, tool: call.name, arguments: args, ok, result } };
}

function toolError(code: string, message: string, fields?: unknown): Record<string, unknown> {
  return { error: fields ? { code, message, fields } : { code, message } };
}
