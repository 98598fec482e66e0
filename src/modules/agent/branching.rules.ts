import { DomainError } from '../../shared/errors.js';
import { MessageRole } from '../chat/message.entity.js';

/** Regenerating asks again for an answer; editing rewrites a question. Anything else is refused. */
export function checkBranchable(action: 'regenerate' | 'edit', role: MessageRole, parentRole: MessageRole | null): void {
  if (action === 'regenerate' && (role !== MessageRole.ASSISTANT || parentRole !== MessageRole.USER)) {
    throw new DomainError('NOT_BRANCHABLE', "Only an assistant's answer to a user message can be regenerated: edit a user message instead");
  }
  if (action === 'edit' && role !== MessageRole.USER) {
    throw new DomainError('NOT_BRANCHABLE', "Only the user's own messages can be edited: regenerate an answer instead");
  }
}
