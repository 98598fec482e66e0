/** The one decide loop over intent rows: the first row that reads the words; its result present → reply, else call. */
import { answer, call, isAction, type Action } from './local.action.js';
import { toolUnavailable } from './local.replies.js';
import type { Row, Said, Turn } from './local.row.js';

/** The first row that reads the words, skipping those whose words mean something else where their tool is absent. */
export function pick(rows: readonly Row[], said: Said, tools: Set<string>): { row: Row; data: unknown } | undefined {
  for (const row of rows) {
    if (row.onlyWhereOffered && row.tool && !tools.has(row.tool)) continue;
    const data = row.match(said);
    if (data !== undefined) return { row, data };
  }
  return undefined;
}

/** The row's next move: its reply once its tool answered, else its call (or the move its arguments ask for first). */
export function move(row: Row, data: unknown, turn: Turn): Action {
  const made = row.tool && turn.done.findLast((e) => e.name === row.tool);
  if (!row.tool || made) {
    const next = row.reply(data, turn, made ? made.result : undefined);
    return offered(typeof next === 'string' ? answer(next, `Rule: ${row.kind}; answer${made ? ` from ${row.tool}` : ''}.`) : next, turn);
  }
  const args = row.arguments ? row.arguments(data, turn) : {};
  return offered(isAction(args) ? args : call(row.tool, args, `Rule: ${row.kind}; ${row.tool} answers it.`), turn);
}

/** A call to a tool this conversation does not offer becomes the one answer that says so. */
function offered(action: Action, turn: Turn): Action {
  if (action.type === 'call' && !turn.tools.has(action.name)) return answer(toolUnavailable(action.name), `Rule: ${action.name} is not offered here.`);
  return action;
}
