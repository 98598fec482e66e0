import { badUserInput } from '../../shared/errors.js';
import { checkName } from '../../shared/input-rules.js';

/** A manual transaction's description: one visible line, 1 to 200 characters. */
export function manualDescription(value: string, field = 'description'): string {
  checkName(value, field);
  const text = value.trim();
  if (text === '' || text.length > 200) throw badUserInput([{ field, message: 'must be 1 to 200 non-blank characters' }]);
  return text;
}
