import type { FlagKey } from '../../../flags/flags.catalog.js';
import type { FlagCaller, Flags } from '../../../flags/flags.js';
import { TOOL_FAMILIES } from './registry.js';

/** The tool families whose flag is off for this caller: the agent is not offered them. */
export async function switchedOffFamilies(flags: Pick<Flags, 'isEnabled'>, caller: FlagCaller): Promise<Set<FlagKey>> {
  const states = await Promise.all(TOOL_FAMILIES.map(async (f) => [f.flag, await flags.isEnabled(f.flag, caller)] as const));
  return new Set(states.filter(([, enabled]) => !enabled).map(([flag]) => flag));
}
