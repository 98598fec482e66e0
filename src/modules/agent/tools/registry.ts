import type { ValidateFunction } from 'ajv';
import { v7 as uuidv7 } from 'uuid';
import type { Orm } from '../../../db/orm.js';
import { createServices, type AppDeps, type Services } from '../../../services.js';
import { DomainError } from '../../../shared/errors.js';
import type { AuthInfo } from '../../auth/auth.types.js';
import type { ChatSession } from '../../chat/chat-session.entity.js';
import type { StoredStep, StoredToolCall } from '../agent-run.entity.js';
import type { RunEventWriter } from '../event-writer.js';
import type { ToolCallRequest, ToolDefinition } from '../llm/provider.js';
import { JOURNAL_TOOLS } from './journal.tools.js';
import { MONEY_TOOLS } from './money.tools.js';

export interface ToolContext {
  services: Services;
  auth: AuthInfo;
  session: ChatSession;
  writer: RunEventWriter;
  deps: AppDeps;
}

export interface Tool {
  definition: ToolDefinition;
  /** The ThinkingStep a user sees while it runs, e.g. "Reading your accounts". */
  label: string;
  execute(args: Record<string, unknown>, ctx: ToolContext): Promise<Record<string, unknown>>;
}

export const TOOLS: Tool[] = [...JOURNAL_TOOLS, ...MONEY_TOOLS];

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
 * Runs one tool call as the session's user, through the services, on its own
 * EntityManager fork. Bad arguments and refused operations come back as a result the
 * model can read ({ error: { code, message } }), never as a crash of the run.
 */
export async function runTool(
  call: ToolCallRequest,
  env: { deps: AppDeps; orm: Orm; auth: AuthInfo; session: ChatSession; writer: RunEventWriter; signal: AbortSignal },
): Promise<ToolOutcome> {
  const tool = TOOLS.find((t) => t.definition.name === call.name);
  const step: StoredStep = { id: uuidv7(), label: tool?.label ?? `Trying ${call.name}`, startedAt: env.deps.clock.now().toISOString(), finishedAt: null };
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

  if (!tool) {
    result = toolError('UNKNOWN_TOOL', `There is no tool named "${call.name}". Tools: ${TOOLS.map((t) => t.definition.name).join(', ')}`);
  } else if (typeof args === 'string') {
    result = toolError('INVALID_ARGUMENTS', 'The arguments are not valid JSON');
  } else if (!(await toolValidators()).get(call.name)!(args)) {
    const errors = (await toolValidators()).get(call.name)!.errors ?? [];
    result = toolError('INVALID_ARGUMENTS', errors.map((e) => `${e.instancePath || 'arguments'} ${e.message ?? 'is invalid'}`).join('; '));
  } else {
    try {
      const services = createServices(env.deps, env.orm.em.fork());
      result = await tool.execute(args as Record<string, unknown>, { services, auth: env.auth, session: env.session, writer: env.writer, deps: env.deps });
      ok = true;
    } catch (error) {
      if (error instanceof DomainError) {
        result = toolError(error.code, error.message, error.extensions.fields);
      } else {
        env.deps.logger.error({ err: error, tool: call.name }, 'agent tool failed');
        result = toolError('INTERNAL', 'The tool failed unexpectedly');
      }
    }
  }

  env.writer.emit('ToolCallFinished', { callId: call.id, tool: call.name, ok, result });
  step.finishedAt = env.deps.clock.now().toISOString();
  env.writer.emit('ThinkingStep', { stepId: step.id, label: step.label, done: true });
  return { step, record: { id: call.id, tool: call.name, arguments: args, ok, result } };
}

function toolError(code: string, message: string, fields?: unknown): Record<string, unknown> {
  return { error: fields ? { code, message, fields } : { code, message } };
}
