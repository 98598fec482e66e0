import { jsonProblem } from '../../shared/input-rules.js';
import { SIZE_CAPS } from '../../shared/size-caps.js';

/** Why a session's metadata (createChatSession's, an import's) is refused, or undefined: the one rule for both. */
export function metadataProblem(metadata: unknown): string | undefined {
  if (metadata === null) return undefined;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) return 'must be a JSON object';
  if (JSON.stringify(metadata).length > SIZE_CAPS.metadataBytes) return `must be at most ${SIZE_CAPS.metadataBytes} characters as JSON`;
  if (jsonProblem(metadata, SIZE_CAPS.metadataDepth)) return `must be nested at most ${SIZE_CAPS.metadataDepth} levels deep`;
  return undefined;
}
